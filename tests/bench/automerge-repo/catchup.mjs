// A new device catching up through the sync server, driven by the catch-up benchmark (see
// README.md).
//
//   node catchup.mjs seed  --dir D --docs LIST --urls OUT
//       imports each automerge file LIST names (one path a line) into a repo stored in D (the
//       server's directory), writes each document's URL to OUT in the same order, prints `ok`.
//   node catchup.mjs fetch --server WS --dir D --urls FILE
//       prints `ready`; on stdin `go`: finds every URL of FILE through the server at once,
//       writes them all to D, prints `done DOCUMENTS`; stdin EOF: exits.
import { readFileSync, writeFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const { positionals: [mode], values: args } = parseArgs({
  allowPositionals: true,
  options: Object.fromEntries(["server", "dir", "docs", "urls"].map(n => [n, { type: "string" }])),
})
const required = { seed: ["dir", "docs", "urls"], fetch: ["server", "dir", "urls"] }[mode]
if (!required) throw new Error(`unknown mode ${mode}; expected seed or fetch`)
for (const name of required) if (!args[name]) throw new Error(`${mode}: --${name} is required`)

// Documents asked for at once by the new client.
const FINDS = 16
const say = line => process.stdout.write(line + "\n")
const lines = path => readFileSync(path, "utf8").split("\n").filter(l => l.trim() !== "")

if (mode === "seed") {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(args.dir), network: [] })
  const urls = lines(args.docs).map(path => repo.import(readFileSync(path)).url)
  await repo.flush()
  await repo.shutdown()
  writeFileSync(args.urls, urls.join("\n") + "\n")
  say("ok")
} else {
  const urls = lines(args.urls)
  const adapter = new WebSocketClientAdapter(args.server)
  const repo = new Repo({ storage: new NodeFSStorageAdapter(args.dir), network: [adapter] })
  say("ready")
  const input = createInterface({ input: process.stdin })
  for await (const line of input) {
    if (line.trim() !== "go") continue
    // Each find resolves once the document is ready, and rejects if the server lacks it. At
    // most FINDS at a time: a thousand at once left the server loading them all at the same
    // time, and the client gave documents up as unavailable before they came.
    let next = 0
    let found = 0
    const worker = async () => {
      while (next < urls.length) {
        await repo.find(urls[next++])
        found++
      }
    }
    await Promise.all(Array.from({ length: FINDS }, worker))
    await repo.flush()
    say(`done ${found}`)
  }
  adapter.connect = () => {} // no reconnect after shutdown (see peer.mjs)
  await repo.shutdown()
}
