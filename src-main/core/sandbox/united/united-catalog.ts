// The United Pharmacy simulator's fixed network: three pharmacies and their medication
// catalogs, generated the same way on every start so a sandbox session, a test and a bug report
// all see the same ids, names and prices. The first two pharmacy ids and medication 1250 are the
// ones the vendor's guide uses in its examples (seed, "Submit Your Order" and "List Pharmacies"),
// so the guide's example order can be sent to the sandbox as written.
import type { UnitedMedication, UnitedPharmacy } from '../../partners/united/united-api';

interface Product {
  ingredient: string;
  /** Words after the strength and amount in the formulation ("w/ NAD+ Vial"). */
  suffix: string;
  form: 'Injectable' | 'Capsule' | 'Tablet' | 'Troche' | 'Cream' | 'Solution' | 'Nasal Spray';
  type: 'Compound' | 'Commercial';
  /** United's code: "L" is a legend (prescription-only) drug; "3" a Schedule III controlled one. */
  scheduleCode: 'L' | '3';
  strengths: readonly string[];
  quantities: readonly string[];
  units: 'Milliliter' | 'Each' | 'Gram';
  /** Dollars for the first strength and smallest amount. */
  basePrice: number;
}

const PRODUCTS: readonly Product[] = [
  { ingredient: 'Tirzepatide', suffix: 'w/ NAD+ Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['10mg/ml', '20mg/ml', '30mg/ml'], quantities: ['1', '2', '3', '4'], units: 'Milliliter', basePrice: 96 },
  { ingredient: 'Tirzepatide', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['10mg/ml', '20mg/ml', '30mg/ml'], quantities: ['1', '2', '3', '4'], units: 'Milliliter', basePrice: 89 },
  { ingredient: 'Semaglutide', suffix: 'w/ Cyanocobalamin Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['2.5mg/ml', '5mg/ml'], quantities: ['1', '2', '3', '5'], units: 'Milliliter', basePrice: 79 },
  { ingredient: 'Semaglutide', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['2.5mg/ml', '5mg/ml'], quantities: ['1', '2', '3', '5'], units: 'Milliliter', basePrice: 72 },
  { ingredient: 'NAD+', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['100mg/ml', '200mg/ml'], quantities: ['5', '10'], units: 'Milliliter', basePrice: 65 },
  { ingredient: 'Sermorelin Acetate', suffix: 'Lyophilized Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['3mg', '9mg', '15mg'], quantities: ['1', '2'], units: 'Each', basePrice: 110 },
  { ingredient: 'Methylcobalamin', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['1mg/ml', '5mg/ml'], quantities: ['10', '30'], units: 'Milliliter', basePrice: 38 },
  { ingredient: 'Lipo-C (MIC + B12)', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['25/50/50/1mg/ml'], quantities: ['10', '30'], units: 'Milliliter', basePrice: 55 },
  { ingredient: 'Glutathione', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['200mg/ml'], quantities: ['10', '30'], units: 'Milliliter', basePrice: 58 },
  { ingredient: 'Testosterone Cypionate', suffix: 'in Grapeseed Oil Vial', form: 'Injectable', type: 'Compound', scheduleCode: '3', strengths: ['200mg/ml'], quantities: ['5', '10'], units: 'Milliliter', basePrice: 62 },
  { ingredient: 'Naltrexone (LDN)', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['1.5mg', '3mg', '4.5mg'], quantities: ['30', '60', '90'], units: 'Each', basePrice: 34 },
  { ingredient: 'Enclomiphene Citrate', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['12.5mg', '25mg'], quantities: ['30', '60', '90'], units: 'Each', basePrice: 68 },
  { ingredient: 'Progesterone', suffix: 'SR Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['100mg', '200mg'], quantities: ['30', '90'], units: 'Each', basePrice: 42 },
  { ingredient: 'Tadalafil', suffix: 'Troche', form: 'Troche', type: 'Compound', scheduleCode: 'L', strengths: ['5mg', '10mg', '20mg'], quantities: ['10', '30'], units: 'Each', basePrice: 45 },
  { ingredient: 'Sildenafil', suffix: 'Troche', form: 'Troche', type: 'Compound', scheduleCode: 'L', strengths: ['50mg', '100mg'], quantities: ['10', '30'], units: 'Each', basePrice: 40 },
  { ingredient: 'Estradiol', suffix: 'Cream', form: 'Cream', type: 'Compound', scheduleCode: 'L', strengths: ['0.5mg/g', '1mg/g'], quantities: ['30', '60'], units: 'Gram', basePrice: 48 },
  { ingredient: 'Tretinoin / Niacinamide', suffix: 'Cream', form: 'Cream', type: 'Compound', scheduleCode: 'L', strengths: ['0.025%/4%', '0.05%/4%'], quantities: ['30'], units: 'Gram', basePrice: 52 },
  { ingredient: 'Oxytocin', suffix: 'Nasal Spray', form: 'Nasal Spray', type: 'Compound', scheduleCode: 'L', strengths: ['20IU/0.1ml'], quantities: ['10', '15'], units: 'Milliliter', basePrice: 60 },
  { ingredient: 'Cyanocobalamin', suffix: 'Vial', form: 'Injectable', type: 'Compound', scheduleCode: 'L', strengths: ['1000mcg/ml'], quantities: ['10', '30'], units: 'Milliliter', basePrice: 24 },
  { ingredient: 'Testosterone', suffix: 'Transdermal Cream', form: 'Cream', type: 'Compound', scheduleCode: '3', strengths: ['50mg/g', '100mg/g'], quantities: ['30', '60'], units: 'Gram', basePrice: 58 },
  { ingredient: 'Hydroquinone / Tretinoin / Fluocinolone', suffix: 'Cream', form: 'Cream', type: 'Compound', scheduleCode: 'L', strengths: ['4%/0.025%/0.01%', '8%/0.05%/0.01%'], quantities: ['30'], units: 'Gram', basePrice: 64 },
  { ingredient: 'Minoxidil / Finasteride', suffix: 'Topical Solution', form: 'Solution', type: 'Compound', scheduleCode: 'L', strengths: ['5%/0.1%'], quantities: ['30', '60'], units: 'Milliliter', basePrice: 46 },
  { ingredient: 'Ketotifen Fumarate', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['1mg', '2mg'], quantities: ['30', '60', '90'], units: 'Each', basePrice: 39 },
  { ingredient: 'Liothyronine SR', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['5mcg', '10mcg', '25mcg'], quantities: ['30', '90'], units: 'Each', basePrice: 44 },
  { ingredient: 'DHEA', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['10mg', '25mg', '50mg'], quantities: ['30', '90'], units: 'Each', basePrice: 29 },
  { ingredient: 'Anastrozole', suffix: 'Capsule', form: 'Capsule', type: 'Compound', scheduleCode: 'L', strengths: ['0.25mg', '0.5mg'], quantities: ['12', '24'], units: 'Each', basePrice: 36 },
  { ingredient: 'Metformin ER', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['500mg', '750mg'], quantities: ['30', '60', '90'], units: 'Each', basePrice: 9 },
  { ingredient: 'Ondansetron ODT', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['4mg', '8mg'], quantities: ['10', '30'], units: 'Each', basePrice: 12 },
  { ingredient: 'Finasteride', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['1mg', '5mg'], quantities: ['30', '90'], units: 'Each', basePrice: 11 },
  { ingredient: 'Gabapentin', suffix: 'Capsule', form: 'Capsule', type: 'Commercial', scheduleCode: 'L', strengths: ['100mg', '300mg', '400mg'], quantities: ['30', '90'], units: 'Each', basePrice: 10 },
  { ingredient: 'Atorvastatin Calcium', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['10mg', '20mg', '40mg'], quantities: ['30', '90'], units: 'Each', basePrice: 8 },
  { ingredient: 'Lisinopril', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['10mg', '20mg'], quantities: ['30', '90'], units: 'Each', basePrice: 7 },
  { ingredient: 'Levothyroxine Sodium', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['25mcg', '50mcg', '75mcg', '100mcg'], quantities: ['30', '90'], units: 'Each', basePrice: 9 },
  { ingredient: 'Sumatriptan Succinate', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['50mg', '100mg'], quantities: ['9'], units: 'Each', basePrice: 14 },
  { ingredient: 'Valacyclovir', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['500mg', '1g'], quantities: ['30'], units: 'Each', basePrice: 18 },
  { ingredient: 'Amoxicillin', suffix: 'Capsule', form: 'Capsule', type: 'Commercial', scheduleCode: 'L', strengths: ['500mg'], quantities: ['21', '30'], units: 'Each', basePrice: 8 },
  { ingredient: 'Sertraline', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['25mg', '50mg', '100mg'], quantities: ['30', '90'], units: 'Each', basePrice: 9 },
  { ingredient: 'Bupropion XL', suffix: 'Tablet', form: 'Tablet', type: 'Commercial', scheduleCode: 'L', strengths: ['150mg', '300mg'], quantities: ['30', '90'], units: 'Each', basePrice: 16 },
];

const UNIT_ABBREVIATIONS: Record<Product['units'], string> = { Milliliter: 'ml', Each: 'ct', Gram: 'g' };

interface CatalogSpec {
  pharmacy: UnitedPharmacy;
  /** The name United puts in each medication's `pharmacy` field. */
  shortName: string;
  /** The first medication's numeric id; the rest follow. */
  firstMedicationNumber: number;
  medicationCount: number;
  /** Where in the shared product list this pharmacy's catalog starts (negative: from the end), so catalogs differ. */
  productOffset: number;
  priceFactor: number;
}

const CATALOG_SPECS: readonly CatalogSpec[] = [
  {
    pharmacy: { id: 'a4f57791-c5a6-4e6a-8841-5a0d6bf5b9d1', name: 'Kaduceus Compounding Pharmacy', slug: 'kaduceus-compounding-pharmacy', status: 'active' },
    shortName: 'Kaduceus',
    firstMedicationNumber: 1200,
    medicationCount: 163,
    productOffset: 0,
    priceFactor: 1,
  },
  {
    pharmacy: { id: 'd9d7d36f-c86b-49f7-a464-f0beb6cb2097', name: 'Main Street Pharmacy', slug: 'main-street-pharmacy', status: 'active' },
    shortName: 'Main Street',
    firstMedicationNumber: 2000,
    medicationCount: 58,
    // A retail pharmacy: mostly the commercial products at the end of the list.
    productOffset: -58,
    priceFactor: 1.12,
  },
  {
    // Listed but closed to orders: lets a client see how United refuses an inactive pharmacy.
    pharmacy: { id: '5c0e2b8a-7f31-4d6e-9a42-3b18c6d7e905', name: 'Lakeside Specialty Pharmacy', slug: 'lakeside-specialty-pharmacy', status: 'inactive' },
    shortName: 'Lakeside',
    firstMedicationNumber: 3000,
    medicationCount: 12,
    productOffset: 90,
    priceFactor: 1.05,
  },
];

interface Variant {
  product: Product;
  strengthIndex: number;
  quantityIndex: number;
}

const VARIANTS: readonly Variant[] = PRODUCTS.flatMap((product) =>
  product.strengths.flatMap((_, strengthIndex) => product.quantities.map((_, quantityIndex) => ({ product, strengthIndex, quantityIndex }))),
);

/** United's medication ids are opaque base64 of a small JSON object, as in the guide's "eyJpIjoiMTI1MCJ9". */
export function medicationIdFor(number: number): string {
  return Buffer.from(JSON.stringify({ i: String(number) })).toString('base64');
}

/** A stable few percent up or down per medication, so prices look priced rather than computed. */
function priceJitter(number: number): number {
  const spread = ((number * 2_654_435_761) >>> 0) % 1000;
  return 0.94 + (spread / 1000) * 0.12;
}

function medicationFor(spec: CatalogSpec, position: number): UnitedMedication {
  const count = VARIANTS.length;
  const variant = VARIANTS[(((spec.productOffset + position) % count) + count) % count] as Variant;
  const { product } = variant;
  const number = spec.firstMedicationNumber + position;
  const strength = product.strengths[variant.strengthIndex] as string;
  const quantity = product.quantities[variant.quantityIndex] as string;
  const strengthStep = 1 + variant.strengthIndex * 0.45;
  const amountStep = Number(quantity) / Number(product.quantities[0]);
  const price = product.basePrice * strengthStep * (0.55 + 0.45 * amountStep) * spec.priceFactor * priceJitter(number);
  return {
    medication_id: medicationIdFor(number),
    name: `${product.ingredient} ${product.suffix}`,
    strength,
    form: product.form,
    formulation: `${product.ingredient} ${strength} ${quantity}${UNIT_ABBREVIATIONS[product.units]} ${product.suffix}`,
    quantity,
    quantity_units: product.units,
    schedule_code: product.scheduleCode,
    type: product.type,
    pharmacy: spec.shortName,
    price: price.toFixed(2),
  };
}

export interface PharmacyCatalog {
  pharmacy: UnitedPharmacy;
  medications: readonly UnitedMedication[];
  byId: ReadonlyMap<string, UnitedMedication>;
}

/** Builds the network afresh (each simulator gets its own copy). */
export function buildUnitedNetwork(): PharmacyCatalog[] {
  return CATALOG_SPECS.map((spec) => {
    const medications = Array.from({ length: spec.medicationCount }, (_, position) => medicationFor(spec, position));
    return { pharmacy: { ...spec.pharmacy }, medications, byId: new Map(medications.map((m) => [m.medication_id, m])) };
  });
}
