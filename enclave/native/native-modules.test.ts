// Native modules end to end in the enclave's runner (docs/policy.md#native-modules,
// docs/sandbox.md#native-modules): static services through their special files with the caller's
// rights, dynamic and provisioned modules in the bubblewrap sandbox (no network, only the caller's
// readable files, time and memory limits, copy-back under the caller's rights), and the launch check.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import {
  PostcardWriter,
  RIGHTS_ALL,
  RIGHTS_EXECUTE,
  RIGHTS_READ,
  parsePipeline,
  type Policy,
  type RightsTable,
} from '../../protocol/index.js';
import { requireResource } from '../../test-support/requirements.js';
import { bytes, guestBytes, text } from '../guests/guests.js';
import { runPipeline } from '../runner/run-pipeline.js';
import { runProgram } from '../runner/run-program.js';
import type { RunLimits } from '../runner/run-options.js';
import { Vfs } from '../vfs/vfs.js';
import { checkNativeModules } from './launch.js';
import { missingSandboxTool } from './sandbox.js';

type Modules = Policy['nativeModules'];
const AES: Modules = [
  {
    name: 'Counter mode AES Service',
    type: { kind: 'static', specialFile: '/services/aesctr.dat' },
  },
];
const AEAD: Modules = [
  { name: 'AEAD Service', type: { kind: 'static', specialFile: '/services/aead.dat' } },
];

const KEY = bytes('aujourdhuimamane');
const IV = bytes('stmorteoupeutetr');

function cipherRequest(input: string, output: string, encrypt: boolean, aad?: Uint8Array) {
  const w = new PostcardWriter().raw(KEY).raw(IV);
  if (aad) w.bytesField(aad);
  return w.string(input).string(output).bool(encrypt).bytes();
}

/** Runs the special_file guest: writes /input/request.dat to `special`, prints `result`. */
function callModule(
  vfs: Vfs,
  rights: RightsTable,
  modules: Modules,
  special: string,
  result?: string,
  limits: Partial<RunLimits> = {},
) {
  return runProgram({
    program: guestBytes('special_file'),
    vfs,
    rights,
    nativeModules: modules,
    args: [special, '/input/request.dat', ...(result ? [result] : [])],
    limits: { maxMemoryMib: 64, ...limits },
  });
}

const callerRights: RightsTable = [
  { path: '/input/', rights: RIGHTS_READ },
  { path: '/output/', rights: RIGHTS_ALL },
  { path: '/services/', rights: RIGHTS_ALL },
  { path: 'stdout', rights: RIGHTS_ALL },
  { path: 'stderr', rights: RIGHTS_ALL },
];

describe('static native modules', () => {
  test("aesctr-native: the AES-CTR service's answers equal OpenSSL's (Veracruz's vectors)", async () => {
    const vfs = new Vfs();
    const result = await runProgram({
      program: exampleWasm('aesctr-native'),
      vfs,
      rights: callerRights,
      nativeModules: AES,
    });
    assert.equal(result.exitCode, 0, text(result.stderr));
    assert.equal(
      Buffer.from(vfs.readUnchecked('/output/enc.dat')).toString('hex'),
      'a1205e157cf1b3',
    );
    assert.equal(
      Buffer.from(vfs.readUnchecked('/output/dec.dat')).toString('hex'),
      'aa2d441167e8a62c9c',
    );
    assert.ok(vfs.exists('/output/aesctr_native_pass.txt'));
    // The request (with its key) does not outlive the call.
    assert.equal(vfs.readUnchecked('/services/aesctr.dat').length, 0);
  });

  test("the special file honours the caller's rights: no read on the input, no write on the output", async () => {
    const vfs = new Vfs();
    vfs.writeUnchecked('/secret/plain.txt', bytes('not yours'));
    vfs.writeUnchecked('/input/plain.txt', bytes('yours'));
    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/secret/plain.txt', '/output/enc.dat', true),
    );
    const unreadable = await callModule(vfs, callerRights, AES, '/services/aesctr.dat');
    assert.equal(unreadable.exitCode, 3);
    assert.match(text(unreadable.stdout), /write failed 2\b/); // EACCES
    assert.equal(vfs.exists('/output/enc.dat'), false);

    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/input/plain.txt', '/input/enc.dat', true),
    );
    const unwritable = await callModule(vfs, callerRights, AES, '/services/aesctr.dat');
    assert.match(text(unwritable.stdout), /write failed 2\b/);
    assert.equal(vfs.exists('/input/enc.dat'), false);

    // Without a write right on the special file itself the module cannot be called at all.
    const noServices = callerRights.filter((r) => r.path !== '/services/');
    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/input/plain.txt', '/output/e.dat', true),
    );
    const refused = await callModule(vfs, noServices, AES, '/services/aesctr.dat');
    assert.equal(refused.exitCode, 3);
    assert.match(text(refused.stdout), /open failed 76\b/); // ENOTCAPABLE
    assert.equal(vfs.exists('/output/e.dat'), false);
  });

  test('AEAD: encrypt then decrypt gives the plaintext back; a tampered ciphertext is refused', async () => {
    const vfs = new Vfs();
    const aad = bytes('header');
    vfs.writeUnchecked('/output/plain.txt', bytes('attack at dawn'));
    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/output/plain.txt', '/output/sealed', true, aad),
    );
    assert.equal((await callModule(vfs, callerRights, AEAD, '/services/aead.dat')).exitCode, 0);
    const sealed = vfs.readUnchecked('/output/sealed');
    assert.equal(sealed.length, 14 + 16);
    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/output/sealed', '/output/opened', false, aad),
    );
    assert.equal((await callModule(vfs, callerRights, AEAD, '/services/aead.dat')).exitCode, 0);
    assert.equal(text(vfs.readUnchecked('/output/opened')), 'attack at dawn');

    const tampered = sealed.slice();
    tampered[0] = (tampered[0] as number) ^ 1;
    vfs.writeUnchecked('/output/sealed', tampered);
    vfs.writeUnchecked(
      '/input/request.dat',
      cipherRequest('/output/sealed', '/output/forged', false, aad),
    );
    const refused = await callModule(vfs, callerRights, AEAD, '/services/aead.dat');
    assert.match(text(refused.stdout), /write failed 28\b/); // EINVAL
    assert.equal(vfs.exists('/output/forged'), false);
  });

  test('a malformed request is refused with EINVAL; an incomplete one waits for the rest', async () => {
    const vfs = new Vfs();
    vfs.writeUnchecked('/output/plain.txt', bytes('x'));
    const good = cipherRequest('/output/plain.txt', '/output/enc', true);
    vfs.writeUnchecked('/input/request.dat', Uint8Array.from([...good, 7]));
    const trailing = await callModule(vfs, callerRights, AES, '/services/aesctr.dat');
    assert.match(text(trailing.stdout), /write failed 28\b/);
    vfs.writeUnchecked('/input/request.dat', good.subarray(0, 20));
    const partial = await callModule(vfs, callerRights, AES, '/services/aesctr.dat');
    assert.equal(partial.exitCode, 0);
    assert.equal(vfs.exists('/output/enc'), false);
    // A request never completed is cleared when the run ends.
    assert.equal(vfs.readUnchecked('/services/aesctr.dat').length, 0);
  });
});

/** An example's committed build (sdk/examples/<name>/<name>.wasm). */
const exampleWasm = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../sdk/examples/${name}/${name}.wasm`, import.meta.url)));

const sandboxMissing = missingSandboxTool();
const needSandbox = (t: TestContext): boolean =>
  requireResource(t, `the native sandbox (${sandboxMissing})`, sandboxMissing === undefined);

const scratch = mkdtempSync(join(tmpdir(), 'vc-native-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A dynamic module: a shell script on the host. */
function dynamicModule(name: string, script: string): Modules {
  const path = join(scratch, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return [
    { name, type: { kind: 'dynamic', specialFile: `/services/${name}.dat`, entryPoint: path } },
  ];
}

describe('dynamic native modules (bubblewrap)', () => {
  test("sees its request and the caller's readable files only; results come back under the caller's rights", async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule(
      'echo',
      [
        'cat /execution_config > /output/answer.txt',
        'cat /input/readable.txt >> /output/answer.txt',
        'if [ -e /secret/key.txt ]; then echo leaked > /output/leak.txt; fi',
        'if [ -e /work ] || [ -e /etc/passwd ] || [ -e /root ]; then echo host > /output/host.txt; fi',
        'echo forged > /input/forged.txt',
        'echo from-module',
      ].join('\n'),
    );
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/readable.txt', bytes('readable'));
    vfs.writeUnchecked('/secret/key.txt', bytes('secret'));
    vfs.writeUnchecked('/input/request.dat', bytes('request;'));
    const result = await callModule(
      vfs,
      callerRights,
      modules,
      '/services/echo.dat',
      '/output/answer.txt',
    );
    assert.equal(result.exitCode, 0, text(result.stderr));
    assert.equal(text(vfs.readUnchecked('/output/answer.txt')), 'request;readable');
    assert.match(text(result.stdout), /write ok\nrequest;readable/);
    assert.match(text(result.stdout), /from-module/);
    assert.equal(vfs.exists('/output/leak.txt'), false, 'an unreadable file reached the module');
    assert.equal(vfs.exists('/output/host.txt'), false, 'host files reached the module');
    assert.equal(
      vfs.exists('/input/forged.txt'),
      false,
      'a file the caller may not write came back',
    );
  });

  test('symbolic links never reach its file system; a second name of a readable file is its copy', async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule(
      'links',
      [
        'if [ -L /input/escape ] || [ -e /input/escape ]; then echo seen > /output/link.txt; fi',
        'cat /input/second > /output/second.txt',
      ].join('\n'),
    );
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/readable.txt', bytes('readable'));
    vfs.linkUnchecked('/input/second', '/input/readable.txt');
    vfs.symlinkUnchecked('/input/escape', '/etc/passwd');
    vfs.writeUnchecked('/input/request.dat', bytes('go'));
    const result = await callModule(vfs, callerRights, modules, '/services/links.dat');
    assert.equal(result.exitCode, 0, text(result.stderr));
    assert.equal(vfs.exists('/output/link.txt'), false, 'a symbolic link reached the module');
    assert.equal(text(vfs.readUnchecked('/output/second.txt')), 'readable');
  });

  test('cannot reach the network, not even the host loopback', async (t) => {
    if (!needSandbox(t)) return;
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const modules = dynamicModule(
        'net',
        `if bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' 2>/dev/null; then echo reached > /output/net.txt; else echo refused > /output/net.txt; fi`,
      );
      const vfs = new Vfs();
      vfs.writeUnchecked('/input/request.dat', bytes('x'));
      const result = await callModule(vfs, callerRights, modules, '/services/net.dat');
      assert.equal(result.exitCode, 0, text(result.stderr));
      assert.equal(text(vfs.readUnchecked('/output/net.txt')), 'refused\n');
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  test('is killed at its time limit: ERR_NATIVE_MODULE_TIMEOUT, nothing persists', async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule('sleepy', 'echo started > /output/started.txt\nsleep 30');
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/request.dat', bytes('x'));
    const started = Date.now();
    await assert.rejects(
      callModule(vfs, callerRights, modules, '/services/sleepy.dat', undefined, {
        nativeTimeoutMs: 1000,
        timeoutMs: 20_000,
      }),
      { code: 'ERR_NATIVE_MODULE_TIMEOUT' },
    );
    assert.ok(Date.now() - started < 15_000);
    assert.equal(vfs.exists('/output/started.txt'), false);
    // By default the module's limit ends with the execution's budget (less half a second): the
    // run ends at its budget, not at the module's 30 s. (On a loaded machine the runner's own
    // timer may be heard first: either code is a typed timeout.)
    const again = Date.now();
    await assert.rejects(
      callModule(vfs, callerRights, modules, '/services/sleepy.dat', undefined, {
        timeoutMs: 3000,
      }),
      (error: { code?: string }) =>
        error.code === 'ERR_NATIVE_MODULE_TIMEOUT' || error.code === 'ERR_EXECUTION_TIMEOUT',
    );
    assert.ok(Date.now() - again < 10_000);
  });

  test('fails at its memory limit: ERR_NATIVE_MODULE_MEMORY_LIMIT', async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule('hog', 'x=a; while true; do x="$x$x"; done');
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/request.dat', bytes('x'));
    await assert.rejects(
      callModule(vfs, callerRights, modules, '/services/hog.dat', undefined, { maxMemoryMib: 64 }),
      { code: 'ERR_NATIVE_MODULE_MEMORY_LIMIT' },
    );
  });

  test('a module whose libraries cannot be mapped within its memory limit: ERR_NATIVE_MODULE_MEMORY_LIMIT', async (t) => {
    if (!needSandbox(t)) return;
    // The shell and its C library need more address space than this: the dynamic loader fails
    // before the module runs a line (exit 127, its own message), which is the limit's doing.
    const modules = dynamicModule('tiny', 'echo ran > /output/ran.txt');
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/request.dat', bytes('x'));
    await assert.rejects(
      callModule(vfs, callerRights, modules, '/services/tiny.dat', undefined, { maxMemoryMib: 2 }),
      (error: { code?: string; message?: string }) => {
        assert.equal(error.code, 'ERR_NATIVE_MODULE_MEMORY_LIMIT');
        assert.match(error.message ?? '', /could not map its shared libraries within .* 2 MiB/);
        return true;
      },
    );
    assert.equal(vfs.exists('/output/ran.txt'), false);
  });

  test('a readable file where the sandbox mounts its own (/usr, /etc/alternatives) is refused: the write fails EINVAL, the module never runs', async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule('mounts', 'echo ran > /output/ran.txt');
    const rights: RightsTable = [...callerRights, { path: '/', rights: RIGHTS_READ }];
    for (const reserved of ['/usr/lib/libfake.so', '/etc/alternatives/libblas.so.3']) {
      const vfs = new Vfs();
      vfs.writeUnchecked('/input/request.dat', bytes('x'));
      vfs.writeUnchecked(reserved, bytes('not the host library'));
      // ERR_NATIVE_MODULE_UNKNOWN ("the native sandbox reserves ...") is the guest's EINVAL.
      const refused = await callModule(vfs, rights, modules, '/services/mounts.dat');
      assert.equal(refused.exitCode, 3, reserved);
      assert.match(text(refused.stdout), /write failed 28\b/, reserved); // EINVAL
      assert.equal(vfs.exists('/output/ran.txt'), false, reserved);
    }
    // A name that only begins like a reserved one is the caller's file like any other.
    const vfs = new Vfs();
    vfs.writeUnchecked('/input/request.dat', bytes('x'));
    vfs.writeUnchecked('/etc/alternatives.txt', bytes('mine'));
    const modules2 = dynamicModule('near', 'cat /etc/alternatives.txt > /output/ran.txt');
    const result = await callModule(vfs, rights, modules2, '/services/near.dat');
    assert.equal(result.exitCode, 0, text(result.stderr));
    assert.equal(text(vfs.readUnchecked('/output/ran.txt')), 'mine');
  });

  test('a file past the size limit stops the module: ERR_NATIVE_MODULE_FILE_SIZE', async (t) => {
    if (!needSandbox(t)) return;
    const modules = dynamicModule('big', 'head -c 2000000 /dev/zero > /output/big.bin');
    const vfs = new Vfs({ quotaBytes: 1_000_000 });
    vfs.writeUnchecked('/input/request.dat', bytes('x'));
    await assert.rejects(callModule(vfs, callerRights, modules, '/services/big.dat'), {
      code: 'ERR_NATIVE_MODULE_FILE_SIZE',
    });
  });
});

describe('provisioned native modules', () => {
  const tool = '/program/tool';
  const modules: Modules = [{ name: 'tool', type: { kind: 'provisioned', entryPoint: tool } }];

  test('a pipeline step naming the binary runs it natively with the pipeline rights', async (t) => {
    if (!needSandbox(t)) return;
    const vfs = new Vfs();
    vfs.writeUnchecked(
      tool,
      bytes('#!/bin/sh\ntr a-z A-Z < /input/a.txt > /output/a.txt\necho done\nexit 4\n'),
    );
    vfs.writeUnchecked('/input/a.txt', bytes('hello'));
    const result = await runPipeline(parsePipeline(tool), {
      vfs,
      callerRights: [{ path: '/program/', rights: RIGHTS_EXECUTE }],
      executionRights: callerRights,
      nativeModules: modules,
    });
    assert.equal(result.exitCode, 4);
    assert.equal(text(vfs.readUnchecked('/output/a.txt')), 'HELLO');
    assert.equal(text(result.steps[0]!.result.stdout), 'done\n');
  });

  test('symbolic links never reach the binary; a second name of a readable file is its copy', async (t) => {
    if (!needSandbox(t)) return;
    const vfs = new Vfs();
    vfs.writeUnchecked(
      tool,
      bytes(
        '#!/bin/sh\nif [ -L /input/escape ] || [ -e /input/escape ]; then echo seen > /output/link.txt; fi\ncat /input/second > /output/second.txt\n',
      ),
    );
    vfs.writeUnchecked('/input/a.txt', bytes('hello'));
    vfs.linkUnchecked('/input/second', '/input/a.txt');
    vfs.symlinkUnchecked('/input/escape', '/etc/passwd');
    const result = await runPipeline(parsePipeline(tool), {
      vfs,
      callerRights: [{ path: '/program/', rights: RIGHTS_EXECUTE }],
      executionRights: callerRights,
      nativeModules: modules,
    });
    assert.equal(result.exitCode, 0, text(result.steps[0]!.result.stderr));
    assert.equal(vfs.exists('/output/link.txt'), false, 'a symbolic link reached the binary');
    assert.equal(text(vfs.readUnchecked('/output/second.txt')), 'hello');
  });

  test('the caller needs execute on the binary', async () => {
    const vfs = new Vfs();
    vfs.writeUnchecked(tool, bytes('#!/bin/sh\n'));
    await assert.rejects(
      runPipeline(parsePipeline(tool), {
        vfs,
        callerRights: [{ path: '/program/', rights: RIGHTS_READ }],
        executionRights: callerRights,
        nativeModules: modules,
      }),
      { code: 'ERR_ACCESS_DENIED' },
    );
  });
});

describe('launch check', () => {
  const policy = (nativeModules: Modules) => ({ nativeModules });
  const dynamic = dynamicModule('d', 'true');

  test('a platform without the native sandbox refuses dynamic and provisioned modules', () => {
    assert.throws(() => checkNativeModules(policy(dynamic), () => 'bwrap (bubblewrap) on PATH'), {
      code: 'ERR_NATIVE_SANDBOX_UNAVAILABLE',
      message: /bubblewrap/,
    });
    assert.throws(
      () =>
        checkNativeModules(
          policy([{ name: 'p', type: { kind: 'provisioned', entryPoint: '/program/p' } }]),
          () => 'bwrap',
        ),
      { code: 'ERR_NATIVE_SANDBOX_UNAVAILABLE' },
    );
    // Static modules need no sandbox.
    checkNativeModules(policy(AES), () => 'bwrap');
  });

  test('a static module the runtime does not provide is refused', () => {
    assert.throws(
      () =>
        checkNativeModules(
          policy([{ name: 'Nope', type: { kind: 'static', specialFile: '/services/n' } }]),
        ),
      { code: 'ERR_NATIVE_MODULE_UNKNOWN' },
    );
  });
});
