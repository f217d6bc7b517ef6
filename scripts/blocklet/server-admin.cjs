/**
 * Talks to a local Blocklet Server as its owner, with the modules of the installed Blocklet CLI
 * (BLOCKLET_CLI_DIR). Run in the server's folder; prints one JSON line.
 *
 *   bootstrap                 an owner access key for the server's API
 *   session-secret <appDid>   what the server hands the app as BLOCKLET_SESSION_SECRET
 *   create-app <title>        an empty app to install components into → {appDid}
 *   status <appDid>           the app's and its components' status, process ids and domains
 *   start <appDid>            starts the app and its components
 *   configure <appDid> <componentDid> <json>   saves preferences (`prefs.<key>`) as the dashboard's form does
 *
 * The access key comes in AIGNE_HUB_SERVER_KEY (JSON of bootstrap's answer) for the last three.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const cliDir = process.env.BLOCKLET_CLI_DIR || '/work/blocklet-cli';
const cli = createRequire(path.join(cliDir, 'node_modules/@blocklet/cli/package.json'));

function client() {
  const key = JSON.parse(process.env.AIGNE_HUB_SERVER_KEY || '{}');
  const Client = cli('@blocklet/server-js');
  const c = new Client(`http://127.0.0.1:${key.port}/api/gql`, 'aigne-hub-tests');
  c.setAuthAccessKey({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
  return c;
}

/** The server's core, opened on its data folder as the CLI's own `deploy` does (the daemon keeps running). */
async function localNode() {
  const { getNode } = cli('./lib/node');
  const { node } = await getNode({ dir: process.cwd() });
  await new Promise((resolve) => node.onReady(resolve));
  return node;
}

const commands = {
  async bootstrap() {
    const node = await localNode();
    const info = await node.getNodeInfo();
    const key = await node.createAccessKey(
      { teamDid: info.did, remark: 'aigne-hub tests', passport: 'owner' },
      { user: { fullName: 'aigne-hub tests', passports: [{ role: 'owner', status: 'valid' }] } },
    );
    return { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, port: info.port };
  },

  async 'session-secret'(appDid) {
    const node = await localNode();
    // Derived from the app's key and the server's, as Blocklet Server derives it when it starts the app.
    const sk = cli('js-yaml').load(fs.readFileSync(path.join(process.cwd(), '.blocklet-server/config.yml'), 'utf8')).node.sk;
    const { getBlockletInfo } = cli('@blocklet/meta/lib/info');
    return { sessionSecret: getBlockletInfo(await node.getBlocklet({ did: appDid }), sk).secret };
  },

  async 'create-app'(title) {
    const { fromRandom } = cli('@ocap/wallet');
    const res = await client().installBlocklet({ input: { type: 'create', title, description: `${title} (test app)`, appSk: fromRandom().secretKey } });
    return { appDid: res.blocklet.appDid };
  },

  async status(appDid) {
    const res = await client().getBlocklet({ input: { did: appDid, attachRuntimeInfo: true } }, { headers: { 'x-access-blocklet': appDid } });
    const b = res.blocklet;
    return {
      status: b.status,
      domains: (b.site?.domainAliases ?? []).map((d) => d.value),
      components: (b.children ?? []).map((c) => ({ did: c.meta.did, status: c.status, mountPoint: c.mountPoint, pid: c.runtimeInfo?.pid ?? null })),
    };
  },

  async start(appDid) {
    await client().startBlocklet({ input: { did: appDid, componentDids: [] } }, { headers: { 'x-access-blocklet': appDid } });
    return { started: appDid };
  },

  async configure(appDid, componentDid, json) {
    const prefs = JSON.parse(json);
    const configs = Object.entries(prefs).map(([key, value]) => ({ key: `prefs.${key}`, value: typeof value === 'string' ? value : JSON.stringify(value) }));
    await client().configBlocklet({ input: { did: [appDid, componentDid], configs } }, { headers: { 'x-access-blocklet': appDid } });
    return { saved: Object.keys(prefs) };
  },
};

const [command, ...args] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`usage: server-admin.cjs ${Object.keys(commands).join('|')} …`);
  process.exit(2);
}
// The server's modules print their SQL on stdout: the answer is the last line.
commands[command](...args).then(
  (answer) => {
    process.stdout.write(`\n${JSON.stringify(answer)}\n`);
    process.exit(0);
  },
  (err) => {
    console.error(err?.stack || String(err));
    process.exit(1);
  },
);
