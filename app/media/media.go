// Package media checks and prepares uploaded photos and audio guides:
// content sniffed (never the file name), sizes and pixel counts bounded,
// photos re-encoded (which drops EXIF, GPS included) after applying
// their EXIF orientation, and resized for srcset.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // decoder registration
	"net/http"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decoder registration

	"github.com/yimayou/yimayou/app/domain"
)

// Limits of an upload. The request body limit of the web server (8 MB)
// is above these, so the user gets these messages rather than a bare 413.
const (
	MaxPhotoBytes  = 7 << 20
	MaxPhotoPixels = 50_000_000 // a 50 MP camera; more is a decompression bomb
	MinPhotoSide   = 320
	MaxAudioBytes  = 7 << 20 // ~7 minutes at 128 kbit/s
	jpegQuality    = 80
)

// PhotoWidths are the renditions made for srcset: a phone on 3G takes
// 480, a phone with a good signal 960, a desktop 1600.
var PhotoWidths = []int{480, 960, 1600}

// File is one file to store.
type File struct {
	Name string // content-addressed: the same bytes, the same name
	Type string
	Data []byte
}

// Photo is a prepared upload: the renditions to store and the photo to
// put on the site (its Src the largest rendition, Sizes all of them).
type Photo struct {
	Files []File
	Photo domain.Photo
}

func photoError(key string, args ...any) error {
	return &domain.ValidationError{Field: "file", Key: key, Args: args}
}

// PreparePhoto checks an uploaded image and makes its renditions. URLs
// are prefix + file name. It decodes without bound: servers go through a
// Gate.
func PreparePhoto(data []byte, prefix string) (Photo, error) {
	if _, err := checkPhoto(data); err != nil {
		return Photo{}, err
	}
	return preparePhoto(data, prefix)
}

// checkPhoto judges an upload by its size, its first bytes and the
// dimensions its header declares, before anything is decoded.
func checkPhoto(data []byte) (image.Config, error) {
	if len(data) == 0 {
		return image.Config{}, photoError("console.error.file_missing")
	}
	if len(data) > MaxPhotoBytes {
		return image.Config{}, photoError("console.error.photo_too_big", MaxPhotoBytes>>20)
	}
	switch http.DetectContentType(data) {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return image.Config{}, photoError("console.error.photo_type")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return image.Config{}, photoError("console.error.photo_type")
	}
	if cfg.Width > 20000 || cfg.Height > 20000 || cfg.Width*cfg.Height > MaxPhotoPixels {
		return image.Config{}, photoError("console.error.photo_pixels", MaxPhotoPixels/1_000_000)
	}
	if min(cfg.Width, cfg.Height) < MinPhotoSide {
		return image.Config{}, photoError("console.error.photo_small", MinPhotoSide)
	}
	return cfg, nil
}

func preparePhoto(data []byte, prefix string) (Photo, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, photoError("console.error.photo_type")
	}
	o := exifOrientation(data)
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:10])

	// Resize in the stored orientation and turn only the small results
	// upright: turning a 24 MP original pixel by pixel costs seconds.
	b := img.Bounds()
	srcW, srcH := b.Dx(), b.Dy()
	if o >= 5 { // a quarter turn: the visible width is the stored height
		srcW, srcH = srcH, srcW
	}
	var widths []int
	for _, w := range PhotoWidths {
		if w < srcW {
			widths = append(widths, w)
		}
	}
	if len(widths) < len(PhotoWidths) {
		widths = append(widths, srcW) // the original width, never upscaled
	}
	// Largest first, each smaller one from the one before: scaling the
	// original once instead of three times.
	out := Photo{Files: make([]File, len(widths)), Photo: domain.Photo{Sizes: make([]domain.PhotoSize, len(widths))}}
	from, fromB := img, b
	for i := len(widths) - 1; i >= 0; i-- {
		w := widths[i]
		h := int(int64(srcH) * int64(w) / int64(srcW))
		sw, sh := w, h
		if o >= 5 {
			sw, sh = h, w
		}
		dst := image.NewRGBA(image.Rect(0, 0, sw, sh))
		// White under transparent PNG pixels: JPEG has no alpha.
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), from, fromB, xdraw.Over, nil)
		from, fromB = dst, dst.Bounds()
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, orient(dst, o), &jpeg.Options{Quality: jpegQuality}); err != nil {
			return Photo{}, err
		}
		name := "p-" + id + "-" + itoa(w) + ".jpg"
		out.Files[i] = File{Name: name, Type: "image/jpeg", Data: buf.Bytes()}
		out.Photo.Sizes[i] = domain.PhotoSize{Src: prefix + name, Width: w}
		if i == len(widths)-1 {
			out.Photo.Src, out.Photo.Width, out.Photo.Height = prefix+name, w, h
		}
	}
	return out, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// PrepareAudio checks an uploaded audio guide: MP3, AAC (ADTS or MP4) or
// Ogg, judged by its first bytes, within the size cap.
func PrepareAudio(data []byte, prefix string) (File, domain.AudioGuide, error) {
	if len(data) == 0 {
		return File{}, domain.AudioGuide{}, photoError("console.error.file_missing")
	}
	if len(data) > MaxAudioBytes {
		return File{}, domain.AudioGuide{}, photoError("console.error.audio_too_big", MaxAudioBytes>>20)
	}
	typ, ext := SniffAudio(data)
	if typ == "" {
		return File{}, domain.AudioGuide{}, photoError("console.error.audio_type")
	}
	sum := sha256.Sum256(data)
	name := "a-" + hex.EncodeToString(sum[:10]) + ext
	return File{Name: name, Type: typ, Data: data}, domain.AudioGuide{Src: prefix + name, Type: typ}, nil
}

// SniffAudio names the audio format of data, or "" when it is none we
// take. http.DetectContentType knows only ID3-tagged MP3 and no AAC.
func SniffAudio(data []byte) (contentType, ext string) {
	switch {
	case len(data) >= 4 && string(data[:4]) == "OggS":
		return "audio/ogg", ".ogg"
	case len(data) >= 3 && string(data[:3]) == "ID3":
		return "audio/mpeg", ".mp3"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		switch string(data[8:12]) {
		case "M4A ", "M4B ", "mp42", "isom", "mp41", "iso2":
			return "audio/mp4", ".m4a"
		}
	case len(data) >= 4 && data[0] == 0xff && data[1]&0xf6 == 0xf0:
		// ADTS: 12-bit sync, layer 00.
		return "audio/aac", ".aac"
	case len(data) >= 4 && data[0] == 0xff && data[1]&0xe0 == 0xe0 && data[1]&0x06 != 0 && data[2]&0xf0 != 0xf0:
		// An MPEG audio frame: 11-bit sync, a layer, a valid bitrate.
		return "audio/mpeg", ".mp3"
	}
	return "", ""
}
