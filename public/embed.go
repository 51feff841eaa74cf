// Package public holds the static files served as they are: stylesheet,
// icons, and later the service worker. app/web serves them under
// content-hashed URLs with long cache lifetimes.
package public

import "embed"

// FS holds every static file.
//
//go:embed css icons js robots.txt sw.js gate-sw.js
var FS embed.FS
