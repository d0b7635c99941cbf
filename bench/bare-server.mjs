// The baseline for `npm run bench`: the least a Node HTTP server can do with a CreateOrder
// request. It still reads and parses the whole body and answers a body of the real size, so
// the ratio measures RxRelay's own work (routing, guards, validation, SQLite), not the cost of
// moving the bytes. It runs as a child process, like RxRelay, so neither shares an event loop
// with the load generator.
//
// Usage: node bench/bare-server.mjs [port]   (prints "ready <port>" once listening)
import { createServer } from 'node:http';

// The shape of RxRelay's CreateOrder answer (test/fixtures/bestrx/create-order.response.json),
// with values of the length RxRelay sends (~800 bytes, one TOTAL_MISMATCH message for the
// fixture), so both servers write about the same number of bytes per answer.
const REPLY = Buffer.from(
  JSON.stringify({
    data: {
      bestrx_order_id: 123456789,
      bestrx_unique_order_id: 1001,
      provider_order_id: 'RXR-T0V3DW6E4S',
      tracking_id: '8751865556278240',
      tracking_url: 'http://127.0.0.1:32913/track/8751865556278240',
      bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
      label_url: 'http://127.0.0.1:32913/labels/RXR-T0V3DW6E4S.png',
      label_image: '',
      label_file_type: 1,
      manifesto_url: 'http://127.0.0.1:32913/manifests/RXR-T0V3DW6E4S.png',
      manifesto_image: '',
      manifesto_file_type: 1,
      order_status: {
        date: '2026-01-01T00:00:00.000Z',
        status_code: '1',
        status_code_description: 'Order Created',
        status_notes: '',
      },
    },
    request_is_valid: true,
    messages: [
      {
        message_code: 'TOTAL_MISMATCH',
        message: 'total_amount $97.83 is not prescription_amount + otc_amount + tax_amount ($151.62); the order was stored as sent.',
        message_type: 1,
      },
    ],
  }),
);
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(REPLY.length) };
const BAD = Buffer.from('{"data":{},"request_is_valid":false,"messages":[]}');

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      // Answer non-2xx so a broken request body shows up in the benchmark's error count
      // instead of silently flattering the baseline.
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(BAD.length) });
      res.end(BAD);
      return;
    }
    res.writeHead(200, HEADERS);
    res.end(REPLY);
  });
});

const port = Number(process.argv[2] ?? 0);
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  // Keep-alive sockets from the load generator would otherwise hold close() open.
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
