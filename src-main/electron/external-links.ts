// Links the renderer may hand to the system browser (a partner's tracking page): https only, no
// credentials in the URL. Everything else a page tries to open is refused.
export function isSafeExternalLink(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '';
}
