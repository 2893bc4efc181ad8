import { inMemoryStores } from '../../state/backend/memory-backend.js'
import { backendContractSuite } from './backend.suite.js'

backendContractSuite('memory', inMemoryStores(), { reopen: false, exclusiveDirectory: false, exactCount: true })
