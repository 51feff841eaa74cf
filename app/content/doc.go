// Package content reads and writes yimayou's content pack: the counties,
// sites and signs of a region as plain files that an editor can change in a
// text editor and keep in git, and that `yimayou import` loads into the
// database and `yimayou export` writes back.
//
// A pack is a directory:
//
//	counties.yaml               list of counties: code, pinyin, name {zh, en, bo}, phone
//	sites/<site-key>/site.yaml  the site's language-neutral facts and its signs
//	sites/<site-key>/zh.md      Chinese text: YAML front matter, then the Markdown body
//	sites/<site-key>/en.md      English, same layout
//	sites/<site-key>/bo.md      Tibetan, same layout
//
// site.yaml holds, in this order: county, altitude_min, altitude_max,
// a_level, a_level_since, location {lat, lon}, prices [{fen, label}],
// photos [{src, w, h, alt}], published, signs [{code, label, campaign,
// installed, enabled}]. label and alt are {zh, en, bo} maps. A sign belongs
// to the folder of its site and takes the site's county.
//
// The front matter of <lang>.md holds that language's fields: name, summary,
// hours, best_season, safety, address, reservation, ticket_note,
// altitude_note. The Markdown after the closing "---" line is the body. A
// missing language file or an empty field means "not translated"; the page
// then falls back to another language. zh.md is required because every
// site needs a Chinese name.
//
// Empty fields are left out; an absent field is the same as an empty one.
// Money is integer fen, altitudes are metres (0 = unknown), dates are
// "2006-01-02" (a_level_since "2006-01"). Sites' UpdatedAt and signs'
// CreatedAt belong to the database, not the pack.
//
// Load accepts UTF-8 with LF or CRLF line ends and an optional byte order
// mark, ignores files whose names start with a dot, and rejects unknown
// fields, unknown files in a site folder and files over MaxFileSize. Write
// produces one canonical form (fixed key order, LF, no trailing spaces), so
// Write(Load(dir)) reproduces a canonical pack byte for byte and a diff of
// an export shows only real changes. Comments in YAML are not kept.
package content
