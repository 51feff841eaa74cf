package qr

import (
	"fmt"
	"testing"
)

func BenchmarkPNG(b *testing.B) {
	for _, size := range []int{256, DefaultSize, 2048} {
		p := params(func(p *Params) { p.Size = size })
		b.Run(fmt.Sprintf("cold/%d", size), func(b *testing.B) {
			r := NewRenderer(0)
			for b.Loop() {
				if _, err := r.PNG(testURL, p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("cached/%d", size), func(b *testing.B) {
			r := NewRenderer(DefaultCacheBytes)
			for b.Loop() {
				if _, err := r.PNG(testURL, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSVG(b *testing.B) {
	p := DefaultParams()
	b.Run("cold", func(b *testing.B) {
		r := NewRenderer(0)
		for b.Loop() {
			if _, err := r.SVG(testURL, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		r := NewRenderer(DefaultCacheBytes)
		for b.Loop() {
			if _, err := r.SVG(testURL, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
