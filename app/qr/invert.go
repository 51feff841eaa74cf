package qr

import "github.com/yimayou/yimayou/app/domain"

// Inverted reports whether the code would be light modules on a dark
// ground. ISO/IEC 18004 allows it ("reflectance reversal"), but many phone
// scanners, WeChat's among them on older phones, look only for dark
// modules and fail on it.
func (p Params) Inverted() bool { return relativeLuminance(p.FG) > relativeLuminance(p.BG) }

// checkInverted refuses an inverted code unless the caller forced it
// (force=1 in a query).
func (p Params) checkInverted() error {
	if p.Inverted() && !p.AllowInverted {
		return &domain.ValidationError{Field: "fg", Key: "qrlogo.error.inverted"}
	}
	return nil
}
