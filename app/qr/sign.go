package qr

import (
	"net/url"
	"strings"
)

// SignURL is the URL printed in a sign's code: base (the public origin, a
// trailing slash tolerated) + "/q/" + code.
//
// QR's compact alphanumeric mode covers only upper-case letters, and
// go-qrcode uses one mode for the whole content, so the lower-case scheme
// and host put the upper-case code in byte mode too. That is fine: a typical
// sign URL still fits a version 3 code at level M, and upper-casing the URL
// would need a second route (/Q/) for a saving of about one version.
func SignURL(base, code string) string {
	return strings.TrimRight(base, "/") + "/q/" + url.PathEscape(code)
}
