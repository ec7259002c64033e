// A sync server set up like automerge-repo-sync-server: it stores every document a client
// pushes or requests and answers requests, but announces nothing on its own.
//
//   node server.mjs --port P --dir D    prints `listening` when ready; exits 0 on SIGTERM.
import { parseArgs } from "node:util"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const { values: args } = parseArgs({
  options: { port: { type: "string" }, dir: { type: "string" } },
})
if (!args.port || !args.dir) throw new Error("usage: server.mjs --port P --dir D")

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(args.port) })
await new Promise((resolve, reject) => wss.once("listening", resolve).once("error", reject))

const repo = new Repo({
  // Keep-alive 30 s instead of the default 5 s: a peer busy applying 5,000 changes misses a 5 s
  // ping, is dropped and waits 5 s to reconnect, which would count against automerge-repo.
  network: [new WebSocketServerAdapter(wss, 30000)],
  storage: new NodeFSStorageAdapter(args.dir),
  peerId: "storage-server",
  sharePolicy: async () => false,
})
process.stdout.write("listening\n")

process.once("SIGTERM", async () => {
  wss.close() // stops the adapter's keep-alive timer
  await repo.shutdown() // drops the clients and writes every document
  process.exit(0)
})
