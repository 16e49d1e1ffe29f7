// sdk-tour (AssemblyScript): exercises every helper of the AssemblyScript SDK once, so that the
// SDK itself is tested in the sandbox. Not a Veracruz example.
//
// Inputs:  /input/data.bin (any bytes); environment GREETING; arguments; EXIT_CODE (optional)
// Outputs: /output/log.txt      "first\n" written, then "second\n" appended
//          /output/dir/copy.bin /input/data.bin copied into a folder the program creates
//          /output/anon.bin     the bytes read back from an fd_create file after a seek to 0
//          /output/facts.txt    CSV lines: key,value (args, GREETING, exists checks, listing)
// stdout: "hello from sdk-tour"; exit status: EXIT_CODE (default 0)
import {
  appendText, closeFd, exit, fdCreate, fileExists, getArgs, getEnv, listDir, makeDir, print,
  readAll, readFile, seek, WHENCE_SET, writeAll, writeFile, writeText,
} from '../../../assemblyscript/index';

writeText('/output/log.txt', 'first\n');
appendText('/output/log.txt', 'second\n');

const data = readFile('/input/data.bin');
if (!makeDir('/output/dir')) exit(2);
writeFile('/output/dir/copy.bin', data);

const fd = fdCreate();
if (fd < 0) exit(3);
writeAll(<u32>fd, data);
if (seek(<u32>fd, 0, WHENCE_SET) != 0) exit(4);
const back = readAll(<u32>fd);
if (back === null) exit(5);
closeFd(<u32>fd);
writeFile('/output/anon.bin', back!);

const greeting = getEnv('GREETING');
const facts = new Array<string>();
facts.push('args,' + getArgs().slice(1).join(' '));
facts.push('greeting,' + (greeting === null ? '(none)' : greeting!));
facts.push('missing-env,' + (getEnv('NO_SUCH_VARIABLE') === null ? 'null' : 'set'));
facts.push('input-exists,' + (fileExists('/input/data.bin') ? 'yes' : 'no'));
facts.push('nothing-exists,' + (fileExists('/input/nothing') ? 'yes' : 'no'));
facts.push('output-listing,' + listDir('/output').join(' '));
writeText('/output/facts.txt', facts.join('\n') + '\n');

print('hello from sdk-tour');
const code = getEnv('EXIT_CODE');
exit(code === null ? 0 : I32.parseInt(code!));
