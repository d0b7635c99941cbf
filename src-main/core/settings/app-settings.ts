// The settings staff change from the app (app API settings.get / settings.update). Values are
// checked on the way in, and again on the way out: a hand-edited settings file with a wrong
// value falls back to the default instead of breaking CreateOrder.
import type { AppApiParsedInput, AppSettings } from '../../../src-shared/app-api-contract';
import { LABEL_FILE_TYPES, type LabelFileType } from '../domain/code-tables';
import { SettingKeys, type SettingsStore } from './settings-store';

export const DEFAULT_APP_SETTINGS: AppSettings = {
  // BestRx shows label_image at once when it is there; the URL alone costs it another request.
  inline_label_images: true,
  label_image_format: 'png',
  // The camera stays off until staff choose to scan IDs with it.
  id_scan_by_camera: false,
};

export class AppSettingsService {
  constructor(private readonly store: SettingsStore) {}

  get(): AppSettings {
    const inline = this.store.get(SettingKeys.inlineLabelImages);
    const format = this.store.get(SettingKeys.labelImageFormat);
    const camera = this.store.get(SettingKeys.idScanByCamera);
    return {
      inline_label_images: typeof inline === 'boolean' ? inline : DEFAULT_APP_SETTINGS.inline_label_images,
      label_image_format: LABEL_FILE_TYPES.includes(format as LabelFileType) ? (format as LabelFileType) : DEFAULT_APP_SETTINGS.label_image_format,
      // Only a real `true` turns the camera on; anything else in a hand-edited file keeps it off.
      id_scan_by_camera: camera === true,
    };
  }

  update(patch: AppApiParsedInput<'settings.update'>): AppSettings {
    if (patch.inline_label_images !== undefined) this.store.set(SettingKeys.inlineLabelImages, patch.inline_label_images);
    if (patch.label_image_format !== undefined) this.store.set(SettingKeys.labelImageFormat, patch.label_image_format);
    if (patch.id_scan_by_camera !== undefined) this.store.set(SettingKeys.idScanByCamera, patch.id_scan_by_camera);
    return this.get();
  }
}
