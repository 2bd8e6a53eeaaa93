// Listener clients of bench/boards.py: COUNT Socket.IO clients (the socket.io-client package
// browsers use, over the `ws` WebSocket transport) joined to one board, spread over the given
// server addresses, each noting when it received each version.
//
// Node, not Python: 500 threaded python-socketio clients spent more CPU receiving than both
// servers spent sending (measured: ~35 CPU-s against ~10 in 20 s), so on two cores the load
// generator was the bottleneck and the bare server "measured" slower than the hub.
//
// Usage: node boards_listener.mjs URLS_JSON BOARD COUNT WAVE
// Prints "READY <retried connections>", waits for a line on stdin, waits 3 s for the last
// changes, disconnects every client and prints one JSON line: for each client,
// {version: seconds since the epoch when it arrived}.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const [urls, board, count, wave] = [JSON.parse(process.argv[2]), Number(process.argv[3]),
  Number(process.argv[4]), Number(process.argv[5])];
const clients = [];
const received = [];
let retried = 0;

const now = () => (performance.timeOrigin + performance.now()) / 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function join(url) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const socket = io(`${url}/boards`, {
      transports: ["websocket"], reconnection: false, timeout: 60000,
      extraHeaders: { "User-Agent": "m100-bench" },
    });
    const mine = {};
    socket.on("change", (change) => { mine[change.version] = now(); });
    try {
      await new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      const answer = await socket.timeout(60000).emitWithAck("join", { board });
      if (answer.ok) {
        clients.push(socket);
        received.push(mine);
        return;
      }
    } catch (error) {
      process.stderr.write(`join failed: ${error}\n`);
    }
    socket.disconnect();
    retried++;
    await sleep(1000 * (1 + attempt));
  }
  throw new Error("a client could not join");
}

for (let start = 0; start < count; start += wave) {
  const batch = [];
  for (let n = start; n < Math.min(count, start + wave); n++) batch.push(join(urls[n % urls.length]));
  await Promise.all(batch);
  await sleep(200);
}
console.log(`READY ${retried}`);

const lines = createInterface({ input: process.stdin });
lines.once("line", async () => {
  await sleep(3000); // the last changes arrive
  for (const socket of clients) socket.disconnect(); // no change arrives while writing out
  lines.close();
  // exit once the pipe has taken the whole line (an exit right after a large write to a
  // pipe cuts it short)
  process.stdout.write(`${JSON.stringify(received)}\n`, () => process.exit(0));
});
