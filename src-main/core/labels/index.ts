// The labels library: shipping labels, packing slips (the "manifesto"), courier run sheets and ZPL.
export {
  IMAGE_FORMATS,
  IMAGE_MIME_TYPES,
  LABEL_DPIS,
  formatMoney,
  imageFormatForLabelFileType,
  labelFileTypeCode,
  type ImageFormat,
  type LabelDpi,
  type LabelOrder,
} from './label-order';
export { renderShippingLabel, shippingLabelSvg, type ShippingLabelOptions } from './shipping-label';
export { packingSlipSvg, renderPackingSlip, type PackingSlipOptions } from './packing-slip';
export { renderRunSheetPdf, type CourierRun } from './run-sheet';
export { shippingLabelZpl, zplFieldData } from './zpl';
