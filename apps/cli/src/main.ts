// Placeholder until the CLI lands: refuses loudly rather than pretending.
console.error('evalvault: the command line is not implemented yet');
process.exit(2);
