// The renderer's Content-Security-Policy: sent as a header by the headless UI server and by the
// Electron session, and repeated in src-renderer/index.html's meta tag for file:// loads
// (a test keeps the three equal).
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
