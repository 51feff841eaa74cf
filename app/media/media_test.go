package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	// A red block top-left, to see where the top-left ends up.
	for y := 0; y < h/4; y++ {
		for x := 0; x < w/4; x++ {
			img.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 segment with an orientation tag and a GPS
// pointer after the JPEG's SOI marker, as a phone writes it.
func withEXIF(jpg []byte, orientation uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	ifd := make([]byte, 2+12*2+4)
	binary.BigEndian.PutUint16(ifd, 2)
	binary.BigEndian.PutUint16(ifd[2:], 0x0112)
	binary.BigEndian.PutUint16(ifd[4:], 3)
	binary.BigEndian.PutUint32(ifd[6:], 1)
	binary.BigEndian.PutUint16(ifd[10:], orientation)
	binary.BigEndian.PutUint16(ifd[14:], 0x8825) // GPS IFD pointer
	binary.BigEndian.PutUint16(ifd[16:], 4)
	binary.BigEndian.PutUint32(ifd[18:], 1)
	binary.BigEndian.PutUint32(ifd[22:], 0)
	payload := append(append([]byte("Exif\x00\x00"), tiff...), ifd...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func TestPreparePhotoResizesAndStripsEXIF(t *testing.T) {
	data := withEXIF(encodeJPEG(t, testImage(2400, 1200)), 6) // stored landscape, shown portrait
	if exifOrientation(data) != 6 {
		t.Fatal("test EXIF not read")
	}
	start := time.Now()
	p, err := PreparePhoto(data, "/media/")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("2400×1200 JPEG → %d renditions in %v", len(p.Files), time.Since(start))
	if len(p.Files) != 3 || p.Photo.Width != 1200 || p.Photo.Height != 2400 {
		t.Fatalf("renditions: %d, largest %d×%d", len(p.Files), p.Photo.Width, p.Photo.Height)
	}
	// Rotated: the source is 1200 wide after orientation, so the widths
	// are 480, 960 and the original 1200 (never upscaled).
	for i, want := range []int{480, 960, 1200} {
		f := p.Files[i]
		if bytes.Contains(f.Data, []byte("Exif")) {
			t.Errorf("rendition %d keeps EXIF", i)
		}
		img, err := jpeg.Decode(bytes.NewReader(f.Data))
		if err != nil || img.Bounds().Dx() != want || img.Bounds().Dy() != want*2 {
			t.Fatalf("rendition %d: %v %v", i, img.Bounds(), err)
		}
		if p.Photo.Sizes[i].Width != want || p.Photo.Sizes[i].Src != "/media/"+f.Name {
			t.Errorf("size %d: %+v", i, p.Photo.Sizes[i])
		}
		// Orientation 6 turns the picture clockwise: the red top-left
		// corner goes to the top right.
		r, _, _, _ := img.At(img.Bounds().Dx()-5, 5).RGBA()
		if r>>8 < 200 {
			t.Errorf("rendition %d is not turned upright", i)
		}
	}
	again, _ := PreparePhoto(data, "/media/")
	if again.Files[0].Name != p.Files[0].Name {
		t.Error("names are not content-addressed")
	}
}

func TestPreparePhotoRefuses(t *testing.T) {
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, testImage(100, 100))
	zipAsPNG := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 1000)...)
	// A PNG header claiming 30000×30000 pixels: refused before decoding.
	bomb := pngBuf.Bytes()[:33]
	bomb = append([]byte{}, bomb...)
	binary.BigEndian.PutUint32(bomb[16:], 30000)
	binary.BigEndian.PutUint32(bomb[20:], 30000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	for name, tc := range map[string]struct {
		data []byte
		key  string
	}{
		"empty":      {nil, "console.error.file_missing"},
		"zip as png": {zipAsPNG, "console.error.photo_type"},
		"html":       {[]byte("<html><body>hi</body></html>"), "console.error.photo_type"},
		"too small":  {pngBuf.Bytes(), "console.error.photo_small"},
		"oversized":  {append(encodeJPEG(t, testImage(400, 400)), make([]byte, MaxPhotoBytes)...), "console.error.photo_too_big"},
		"bomb":       {bomb, "console.error.photo_pixels"},
		"truncated":  {encodeJPEG(t, testImage(800, 600))[:400], "console.error.photo_type"},
	} {
		_, err := PreparePhoto(tc.data, "/media/")
		var verr *domain.ValidationError
		if !errors.As(err, &verr) || verr.Key != tc.key {
			t.Errorf("%s: %v, want %s", name, err, tc.key)
		}
	}
}

func TestSniffAudio(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		typ  string
	}{
		"id3 mp3":   {[]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg"},
		"bare mp3":  {[]byte{0xff, 0xfb, 0x90, 0x64}, "audio/mpeg"},
		"adts aac":  {[]byte{0xff, 0xf1, 0x50, 0x80}, "audio/aac"},
		"ogg":       {[]byte("OggS\x00\x02"), "audio/ogg"},
		"m4a":       {[]byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"), "audio/mp4"},
		"mp4 video": {[]byte("\x00\x00\x00\x20ftypqt  \x00\x00\x00\x00"), ""},
		"wav":       {[]byte("RIFF\x00\x00\x00\x00WAVE"), ""},
		"zip":       {[]byte("PK\x03\x04"), ""},
		"text":      {[]byte("hello"), ""},
	} {
		if got, _ := SniffAudio(tc.data); got != tc.typ {
			t.Errorf("%s: %q, want %q", name, got, tc.typ)
		}
	}
	if _, _, err := PrepareAudio(make([]byte, MaxAudioBytes+1), "/media/"); err == nil {
		t.Error("oversized audio accepted")
	}
	f, g, err := PrepareAudio([]byte("OggS\x00\x02rest"), "/media/")
	if err != nil || g.Type != "audio/ogg" || g.Src != "/media/"+f.Name {
		t.Errorf("ogg: %+v %+v %v", f, g, err)
	}
}

func TestOrientAll(t *testing.T) {
	src := testImage(4, 2)
	for o := 1; o <= 8; o++ {
		b := orient(src, o).Bounds()
		if (o >= 5) != (b.Dx() == 2) {
			t.Errorf("orientation %d: %v", o, b)
		}
	}
}

// A 24-megapixel phone photo, the common case, is prepared in a couple of
// seconds at most on a small server.
func TestPreparePhotoLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	data := withEXIF(encodeJPEG(t, testImage(6000, 4000)), 8)
	start := time.Now()
	p, err := PreparePhoto(data, "/media/")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("6000×4000 JPEG (%d KB) → widths %v in %v", len(data)>>10, p.Photo.Sizes, time.Since(start))
	if p.Photo.Width != 1600 || p.Photo.Height != 2400 {
		t.Errorf("largest %d×%d", p.Photo.Width, p.Photo.Height)
	}
}

func flatPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Finding 9 of the abuse report: four concurrent 194 KB PNGs of
// 7071×7071 took the server from 205 MB to 2.5 GB. A flat PNG is tiny on
// the wire and huge decoded; the gate decodes concurrent uploads within
// its pixel budget (here scaled down: 1 M-pixel photos, a 1.5 M budget).
func TestGateBoundsPixelsInFlight(t *testing.T) {
	data := flatPNG(t, 1000, 1000)
	if len(data) > 64<<10 {
		t.Fatalf("flat PNG of %d bytes: not the bomb shape", len(data))
	}
	g := NewGate(4, 1_500_000, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.PreparePhoto(context.Background(), data, "/media/")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("upload refused: %v", err)
		}
	}
	if peak := g.PeakPixels(); peak != 1_000_000 {
		t.Fatalf("peak pixels in flight %d, want one photo's 1,000,000 (the budget is 1,500,000)", peak)
	}
}

// A full gate makes the upload wait, then refuses it with a message the
// editor can act on; the header check comes first and costs no wait.
func TestGateBusyAndHeaderFirst(t *testing.T) {
	g := NewGate(1, 1_000_000, 30*time.Millisecond)
	release, err := g.acquire(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.PreparePhoto(context.Background(), encodeJPEG(t, testImage(400, 400)), "/media/")
	var verr *domain.ValidationError
	if !errors.As(err, &verr) || verr.Key != "console.error.photo_busy" {
		t.Fatalf("full gate: %v, want photo_busy", err)
	}
	// A PNG declaring 7071×7071 in 45 bytes is within the pixel cap, so
	// only the gate stands between it and a 200 MB allocation.
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, testImage(100, 100))
	bomb := append([]byte{}, pngBuf.Bytes()[:33]...)
	binary.BigEndian.PutUint32(bomb[16:], 7071)
	binary.BigEndian.PutUint32(bomb[20:], 7071)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	if _, err := g.PreparePhoto(context.Background(), bomb, "/media/"); !errors.As(err, &verr) || verr.Key != "console.error.photo_busy" {
		t.Fatalf("declared-huge PNG while the gate is full: %v, want photo_busy (not decoded)", err)
	}
	// Too many pixels declared: refused from the header, even with the
	// gate full.
	binary.BigEndian.PutUint32(bomb[16:], 30000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	if _, err := g.PreparePhoto(context.Background(), bomb, "/media/"); !errors.As(err, &verr) || verr.Key != "console.error.photo_pixels" {
		t.Fatalf("30000×7071 header: %v, want photo_pixels", err)
	}
	release()
	if _, err := g.PreparePhoto(context.Background(), encodeJPEG(t, testImage(400, 400)), "/media/"); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
