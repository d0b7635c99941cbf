// The version shown in the UI and in diagnostics; kept in step with package.json by a test.
export const APP_VERSION = '0.1.0';
