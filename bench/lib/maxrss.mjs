// Preloaded with `node --import` into a process under measure: at exit, writes its peak RSS (bytes) to stderr as
// `maxrss <bytes>`, from process.resourceUsage() (the kernel's ru_maxrss).
process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS * 1024}\n`));
