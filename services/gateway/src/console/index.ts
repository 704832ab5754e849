export { installConsole, DOCS_HEADERS, DOCS_PAGE, wantsHtml } from './console.routes.js';
export { consoleConfig, type ConsoleClient, type ConsoleConfig } from './console-sign-in.js';
