// Preloaded into every server the bench starts (`node --import`): the server exits when the bench
// that started it is gone, even if the bench was killed with SIGKILL and could not clean up.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
