package catalog

import "fmt"

// Amounts are kept as integers in units of 0.0001 EUR (net). The API prints
// net amounts with 10 decimal places ("4.4900000000") and gross amounts with
// 16 ("5.3431000000000000"); see the live responses quoted in the package
// notes of data.go.

// vatBasisPoints is the VAT rate of the seeded project owner in 1/100 %:
// 1900 = 19.00 % (Germany).
const vatBasisPoints = 1900

// vatRate is vatBasisPoints as the API prints pricing.vat_rate.
var vatRate = fmt.Sprintf("%d.%02d", vatBasisPoints/100, vatBasisPoints%100)

// eur4 is an amount in 0.0001 EUR.
type eur4 int64

// price returns net and gross of a net amount.
func (a eur4) price() Price {
	return Price{Net: formatNet(a), Gross: formatGross(a)}
}

// formatNet prints a with 10 decimal places.
func formatNet(a eur4) string {
	v := int64(a)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%04d000000", sign, v/10_000, v%10_000)
}

// formatGross prints a plus VAT with 16 decimal places. a*(10000+vat) is the
// gross amount in units of 1e-8, exact for any basis-point VAT rate.
func formatGross(a eur4) string {
	v := int64(a) * (10_000 + vatBasisPoints)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%08d00000000", sign, v/100_000_000, v%100_000_000)
}
