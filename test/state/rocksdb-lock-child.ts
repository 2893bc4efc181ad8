// Opens a RocksDB shard in argv[2], says "ready", and holds it until killed.
import { RocksDBBackend } from '../../state/backend/rocksdb-backend.js'

await RocksDBBackend.open(process.argv[2]!)
process.stdout.write('ready\n')
setInterval(() => undefined, 60_000)
