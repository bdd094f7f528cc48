import { definePack } from './pack'

// Ollama: {"error": "model \"llama2\" not found, try pulling it first"}.
export default definePack('ollama', [
  { name: 'ollama.server-busy', message: /\bserver busy\b/i, status: 503, errorType: 'service_unavailable_error', source: 'https://github.com/ollama/ollama/blob/main/server/sched.go' }
])
