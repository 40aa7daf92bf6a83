// `npm start`: the demo arrives with the rxconnect command (issue 5). Until then, say what to run instead.
console.log('rxconnect: the loopback demo (`rxconnect demo`) is not built yet.');
console.log('Run `npm test` to watch connectAsync$ race addresses in virtual time and on loopback.');
