import { describe, expect, it } from 'vitest';
import { isSafeExternalLink } from '../../../src-main/electron/external-links';

describe('links handed to the system browser', () => {
  it('are https links without credentials, nothing else', () => {
    expect(isSafeExternalLink('https://track.cary.example/wbbubgc6s5')).toBe(true);
    for (const url of ['http://track.example/1', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', 'not a url', 'smb://host/share']) {
      expect(isSafeExternalLink(url)).toBe(false);
    }
  });
});
