// One automerge-repo client, driven by the sync benchmark over stdin/stdout (see README.md).
//
//   node peer.mjs create --server WS --dir D                prints `url <automerge:…>`
//   node peer.mjs fetch  --server WS --dir D --url U        prints `ok`
//   node peer.mjs run    --server WS --dir D --url U --changes K --author NAME
//       offline: K changes, prints `written`; stdin `go`: connects and prints `heads <h,…>` now
//       and on every change of heads; stdin `stop` or EOF: exits.
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { getHeads } from "@automerge/automerge"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const NOTES = [
  "Kandidaten møtte presis og tok ansvar for varemottaket i dag. Vi avtalte å prøve kassen en time på torsdag.",
  "Han ryddet lageret på egen hånd og spurte selv om neste oppgave. Samarbeidet med kollegaene gikk fint hele dagen.",
  "Hun var sliten etter en dårlig natt og trengte flere pauser enn vanlig. Vi kortet ned dagen og snakket om søvnrutiner.",
  "Oppfølgingssamtale med leder på avdelingen: fornøyd med innsatsen, ønsker at kandidaten øver mer på kundekontakt.",
  "Kandidaten kom tjue minutter for sent uten å gi beskjed. Vi gikk gjennom rutinen for fravær og hvem som skal varsles.",
  "Første dag på ny arbeidsplass. Omvisning, gjennomgang av HMS-rutiner og utlevering av arbeidstøy. God stemning.",
  "Han tok initiativ til å lære seg bestillingssystemet og la inn ukens bestilling med litt hjelp fra innkjøpsansvarlig.",
  "Samtale med NAV-veileder om videre løp. Vi anbefaler å utvide praksisen til fire dager i uken fra neste måned.",
  "Hun betjente kassen alene i to timer i rolig periode og løste en reklamasjon på en rolig og profesjonell måte.",
  "Kandidaten ga uttrykk for at arbeidsoppgavene er for ensformige. Vi avtalte å prøve ferskvareavdelingen neste uke.",
]

const { positionals: [mode], values: args } = parseArgs({
  allowPositionals: true,
  options: Object.fromEntries(
    ["server", "dir", "url", "changes", "author"].map(name => [name, { type: "string" }]),
  ),
})
const required = {
  create: ["server", "dir"],
  fetch: ["server", "dir", "url"],
  run: ["server", "dir", "url", "changes", "author"],
}[mode]
if (!required) throw new Error(`unknown mode ${mode}; expected create, fetch or run`)
for (const name of required) if (!args[name]) throw new Error(`${mode}: --${name} is required`)

const say = line => process.stdout.write(line + "\n")
// Hex change hashes, sorted, so that equal documents print equal lines.
const headsOf = handle => getHeads(handle.doc()).sort().join(",")
const storage = new NodeFSStorageAdapter(args.dir)

// The client adapter reconnects 5 s after losing its connection, and disconnect() cannot cancel a
// reconnect already scheduled. The server's keep-alive drops a peer that misses a 5 s ping
// interval, which a peer applying a large sync does. Such a late reconnect would keep the
// process alive after shutdown, so shutdown disarms it.
const adapters = []
function connect() {
  const adapter = new WebSocketClientAdapter(args.server)
  adapters.push(adapter)
  return adapter
}
async function shutdown(repo) {
  for (const adapter of adapters) adapter.connect = () => {}
  await repo.shutdown() // disconnects, then writes every document
}

// Resolves once a connected peer with storage (the server) has reported heads equal to ours,
// i.e. it holds everything we have. The repo records what each peer's sync messages say it
// has under that peer's storage id and emits `remote-heads` on the handle when that changes.
function untilServerHas(repo, handle) {
  const synced = () => repo.peers.some(peer => {
    const storageId = repo.getStorageIdOfPeer(peer)
    const theirs = storageId && handle.getSyncInfo(storageId)?.lastHeads
    return theirs && [...theirs].sort().join(",") === [...handle.heads()].sort().join(",")
  })
  return new Promise(resolve => {
    const check = () => synced() && (handle.off("remote-heads", check), resolve())
    handle.on("remote-heads", check)
    check()
  })
}

if (mode === "create") {
  const repo = new Repo({ storage, network: [connect()] })
  const handle = repo.create({ notes: [] })
  await untilServerHas(repo, handle)
  await shutdown(repo)
  say(`url ${handle.url}`)
} else if (mode === "fetch") {
  const repo = new Repo({ storage, network: [connect()] })
  const handle = await repo.find(args.url) // rejects if the server does not have it
  await untilServerHas(repo, handle)
  await shutdown(repo)
  say("ok")
} else {
  const repo = new Repo({ storage, network: [] }) // offline: the document must come from storage
  const handle = await repo.find(args.url)
  for (let i = 0; i < Number(args.changes); i++) {
    handle.change(doc => doc.notes.push({
      id: `${args.author}-${i}`,
      author: args.author,
      at: new Date().toISOString(),
      text: `${NOTES[i % NOTES.length]} (notat ${i + 1})`,
    }))
  }
  await repo.flush()
  say("written")

  let printed
  const printHeads = () => {
    const heads = headsOf(handle)
    if (heads !== printed) say(`heads ${(printed = heads)}`)
  }
  // Created only now, so nothing is read from stdin before the loop below listens.
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (line.trim() === "go") {
      // `heads-changed` fires for local changes and for changes applied from sync messages.
      handle.on("heads-changed", printHeads)
      repo.networkSubsystem.addNetworkAdapter(connect()) // connects right away
      printHeads()
    } else if (line.trim() === "stop") break
  }
  lines.close()
  await shutdown(repo)
}
