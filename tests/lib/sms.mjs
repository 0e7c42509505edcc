// A local stand-in for TurboSMS's HTTP API (POST /message/send.json) that
// checks each request as the provider documents it and records it:
// method, path, "Authorization: Bearer <token>", a JSON body of exactly
// {"recipients": ["380XXXXXXXXX", ...], "sms": {"sender": "...", "text": "..."}}.
// A request that breaks a rule is recorded in `problems` and answered as
// the provider answers errors (HTTP 200, a non-success response_code).
//
//   const gw = await startSmsReceiver({ token: 't0k', invalid: ['380670000000'] });
//   env KONTAKT_SMS_URL = gw.url, KONTAKT_SMS_TOKEN = 't0k'
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { waitUntil } from './smtp.mjs';

export async function startSmsReceiver({ token, invalid = [] } = {}) {
  const requests = [];
  const problems = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const wrong = [];
      if (req.method !== 'POST') wrong.push(`method ${req.method}`);
      if (req.url !== '/message/send.json') wrong.push(`path ${req.url}`);
      if (req.headers.authorization !== `Bearer ${token}`) wrong.push('authorization');
      if (!/^application\/json/.test(req.headers['content-type'] || '')) wrong.push('content-type');
      let body;
      try { body = JSON.parse(raw); } catch { wrong.push('not JSON'); }
      if (body) {
        const keys = Object.keys(body).sort().join(',');
        if (keys !== 'recipients,sms') wrong.push(`keys ${keys}`);
        if (!Array.isArray(body.recipients) || body.recipients.length === 0) wrong.push('recipients');
        else for (const r of body.recipients) if (!/^380\d{9}$/.test(r)) wrong.push(`recipient ${r}`);
        const sms = body.sms || {};
        if (Object.keys(sms).sort().join(',') !== 'sender,text') wrong.push('sms keys');
        if (typeof sms.sender !== 'string' || !sms.sender) wrong.push('sender');
        if (typeof sms.text !== 'string' || !sms.text) wrong.push('text');
      }
      const entry = { method: req.method, path: req.url, headers: req.headers, body };
      requests.push(entry);
      res.setHeader('Content-Type', 'application/json');
      if (wrong.length) {
        problems.push({ ...entry, wrong });
        res.end(JSON.stringify({ response_code: 104, response_status: 'REQUIRED_CONTENT', response_result: null }));
        return;
      }
      const bad = body.recipients.find((r) => invalid.includes(r));
      if (bad) {
        res.end(JSON.stringify({ response_code: 406, response_status: 'INVALID_RECIPIENT', response_result: null }));
        return;
      }
      res.end(JSON.stringify({
        response_code: 800, response_status: 'SUCCESS_MESSAGE_ACCEPTED',
        response_result: body.recipients.map((phone) => ({
          phone, response_code: 0, message_id: randomUUID(), response_status: 'OK',
        })),
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/message/send.json`, requests, problems,
    waitForRequest: (pred = () => true, opts = {}) =>
      waitUntil(() => requests.find(pred), { what: 'an SMS request', ...opts }),
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
