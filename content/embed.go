// Package content is the demo content pack: the 18 counties of Garzê
// (甘孜) Tibetan Autonomous Prefecture and twelve of its tourist sites, in
// Chinese and English, with Tibetan names where they could be written
// reliably. It gives a fresh install and the tests real pages to show. Its
// facts come from the data sheets the project was given; what those do not
// say is left empty rather than guessed. Its format is described in
// content/FORMAT.md; after editing it by hand, rewrite it in canonical
// form with `go test ./app/content -run TestDemoPack -update`.
package content

import "embed"

// FS holds region.yaml, counties.yaml and sites/; read it with content.Load from
// app/content.
//
//go:embed region.yaml counties.yaml sites
var FS embed.FS
