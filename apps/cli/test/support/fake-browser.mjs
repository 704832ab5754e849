// Plays the user's browser in tests: opens the sign-in URL and follows the redirects back to the CLI.
const response = await fetch(process.argv[2]);
process.exit(response.ok ? 0 : 1);
