package stats

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The same keys must give the same bytes however they arrive: the shipper
// builds a day sketch batch by batch through its stored form, the rebuild
// in one go, and both must write identical rollups.
func TestSketchCanonicalAcrossBatching(t *testing.T) {
	for _, n := range []int{0, 1, 40, 3000, 4100, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = fmt.Sprintf("vk-%d", i%(n/2+1)) // with repeats
			}
			one := NewSketch()
			for _, k := range keys {
				one.Add(k)
			}
			want := one.Marshal()

			rng := rand.New(rand.NewPCG(uint64(n), 7))
			shuffled := append([]string(nil), keys...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			stored := NewSketch().Marshal()
			for i := 0; i < len(shuffled); {
				step := 1 + rng.IntN(700)
				s, err := ParseSketch(stored)
				if err != nil {
					t.Fatal(err)
				}
				for j := i; j < i+step && j < len(shuffled); j++ {
					s.Add(shuffled[j])
				}
				stored = s.Marshal()
				i += step
			}
			if !bytes.Equal(stored, want) {
				t.Fatalf("batched sketch differs from one-go sketch (%d vs %d bytes)", len(stored), len(want))
			}
			// Merging halves gives the same bytes too.
			a, b := NewSketch(), NewSketch()
			for i, k := range keys {
				if i%2 == 0 {
					a.Add(k)
				} else {
					b.Add(k)
				}
			}
			a.Merge(b)
			if !bytes.Equal(a.Marshal(), want) {
				t.Fatal("merged sketch differs")
			}
		})
	}
}

func TestSketchEstimate(t *testing.T) {
	for _, n := range []int{10, 1000, 50000} {
		s := NewSketch()
		for i := 0; i < n; i++ {
			s.Add(fmt.Sprintf("visitor-%d", i))
			s.Add(fmt.Sprintf("visitor-%d", i)) // the same visitor again
		}
		got := float64(s.Estimate())
		if math.Abs(got-float64(n))/float64(n) > 0.05 {
			t.Errorf("n=%d: estimate %v", n, got)
		}
	}
}

func TestVersionedOrdersBySeq(t *testing.T) {
	s := NewSketch()
	s.Add("a")
	lo, hi := EncodeVersioned(9, s), EncodeVersioned(10, NewSketch())
	if !(lo < hi) {
		t.Fatal("a newer version must compare greater as a string")
	}
	seq, got, err := DecodeVersioned(lo)
	if err != nil || seq != 9 || got.Estimate() != 1 {
		t.Fatalf("decode: %v %v %v", seq, got, err)
	}
	if _, _, err := DecodeVersioned("garbage"); err == nil {
		t.Fatal("garbage decoded")
	}
}
