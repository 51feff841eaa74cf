package content

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

func tinyJPEG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A pack with photos and an audio guide writes its media/ folder and
// reads it back the same; the media are checked by content and must be
// used by a site.
func TestPackMediaRoundTrip(t *testing.T) {
	p := fullPack()
	jpg := tinyJPEG(t)
	mp3 := append([]byte("ID3\x04\x00"), make([]byte, 100)...)
	p.Sites[0].Photos = []domain.Photo{{Src: "/media/p-aa-960.jpg", Width: 960, Height: 640, Alt: domain.Text{domain.En: "Glacier"},
		Sizes: []domain.PhotoSize{{Src: "/media/p-aa-480.jpg", Width: 480}, {Src: "/media/p-aa-960.jpg", Width: 960}}}}
	p.Sites[0].Audio = map[domain.Lang]domain.AudioGuide{domain.Zh: {Src: "/media/a-bb.mp3", Type: "audio/mpeg", Transcript: "欢迎"}}
	p.Media = map[string]MediaFile{"p-aa-960.jpg": {"image/jpeg", jpg}, "p-aa-480.jpg": {"image/jpeg", jpg}, "a-bb.mp3": {"audio/mpeg", mp3}}
	dir := t.TempDir()
	if err := Write(dir, p); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "media", "a-bb.mp3")); err != nil || !bytes.Equal(b, mp3) {
		t.Fatalf("media/a-bb.mp3: %v", err)
	}
	got, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p.Normalize()) {
		t.Errorf("round trip lost something:\n got %+v\nwant %+v", got.Media, p.Normalize().Media)
	}

	// A file no site uses, and a "photo" that is text, are refused.
	os.WriteFile(filepath.Join(dir, "media", "p-cc-480.jpg"), jpg, 0o644)
	os.WriteFile(filepath.Join(dir, "media", "p-aa-480.jpg"), []byte("hello"), 0o644)
	_, err = Load(os.DirFS(dir))
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	for _, want := range []string{"media/p-cc-480.jpg: no site uses", "media/p-aa-480.jpg: not a JPEG"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no %q in %q", want, msg)
		}
	}
}
