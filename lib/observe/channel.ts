import diagnosticsChannel = require('node:diagnostics_channel')

/** The `node:diagnostics_channel` channel every decision is published on, for any APM to subscribe to. */
export const DECISION_CHANNEL = 'fastify-openai-errors:decision'

// Looked up once: a channel object is cheap to hold, and `hasSubscribers` on it is the whole cost when no one listens.
export const decisionChannel = diagnosticsChannel.channel(DECISION_CHANNEL)
