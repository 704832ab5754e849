export { installConsole, DOCS_HEADERS, DOCS_PAGE, wantsHtml } from './console.routes.js';
