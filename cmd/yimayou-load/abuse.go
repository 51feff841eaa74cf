package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// abuseOptions configure the abuse run against a running yimayou server.
type abuseOptions struct {
	scanURL   string        // a sign's /q/ URL on loopback
	dur       time.Duration // each phase
	scanRate  float64       // scans per second in total
	scanConns int
	qrConns   int // connections flooding uncached QR renders
	idle      int // idle connections held open
}

// abuse measures what an attacker costs the tourists: scan p99 at a fixed
// rate, first quiet, then while another client floods uncached QR renders
// (a new colour and size each time) and a third holds idle connections.
// The three come from different loopback addresses (127.0.0.1, .3, .2),
// as they would from different clients, so the per-client caps apply as
// in life.
func abuse(o abuseOptions) error {
	u, err := url.Parse(o.scanURL)
	if err != nil {
		return err
	}
	if _, err := loopback(o.scanURL); err != nil {
		return err
	}
	code := strings.TrimPrefix(u.Path, "/q/")
	if code == u.Path || code == "" {
		return fmt.Errorf("%s: want a /q/CODE URL", o.scanURL)
	}
	base := u.Scheme + "://" + u.Host

	if _, err := load(o.scanURL, o.scanConns, time.Second, 0); err != nil { // warm up
		return err
	}
	quiet, err := load(o.scanURL, o.scanConns, o.dur, o.scanRate)
	if err != nil {
		return err
	}
	fmt.Printf("quiet   scans %s\n", quiet)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var held atomic.Int64
	var idleRefused atomic.Int64
	wg.Add(1)
	go func() { defer wg.Done(); holdIdle(u.Host, o.idle, &held, &idleRefused, stop) }()
	var qrOK, qrBusy, qrOther atomic.Int64
	for range o.qrConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			floodQR(base, code, &qrOK, &qrBusy, &qrOther, stop)
		}()
	}
	time.Sleep(time.Second) // let the flood build up before measuring
	under, err := load(o.scanURL, o.scanConns, o.dur, o.scanRate)
	floodTime := o.dur + time.Second
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	fmt.Printf("abused  scans %s\n", under)
	fmt.Printf("flood   %d QR renders served (%.0f/s), %d turned away busy (503), %d other answers; %d idle connections held, %d refused at the cap\n",
		qrOK.Load(), float64(qrOK.Load())/floodTime.Seconds(), qrBusy.Load(), qrOther.Load(), held.Load(), idleRefused.Load())
	fmt.Printf("\nscan p99 under abuse / quiet: %v / %v = %.2f×; p50 %v / %v; errors %d / %d\n",
		under.p99, quiet.p99, float64(under.p99)/float64(max(quiet.p99, time.Microsecond)),
		under.p50, quiet.p50, under.errors, quiet.errors)
	return nil
}

func dialerFrom(ip string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
}

// floodQR asks for codes in a new colour and size each time, as fast as
// they are answered.
func floodQR(base, code string, ok, busy, other *atomic.Int64, stop <-chan struct{}) {
	d := dialerFrom("127.0.0.3")
	client := &fasthttp.Client{Dial: func(addr string) (net.Conn, error) { return d.Dial("tcp", addr) },
		ReadTimeout: 10 * time.Second, MaxConnsPerHost: 1}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	for {
		select {
		case <-stop:
			return
		default:
		}
		req.SetRequestURI(fmt.Sprintf("%s/qr/%s.png?size=%d&fg=%06x", base, code, 1024+rand.IntN(3072), rand.IntN(0x40)<<16|rand.IntN(0x40)<<8|rand.IntN(0x40)))
		err := client.Do(req, resp)
		switch {
		case err != nil:
			if other.Add(1) == 1 {
				fmt.Println("first QR flood error:", err)
			}
			time.Sleep(10 * time.Millisecond)
		case resp.StatusCode() == 200:
			ok.Add(1)
		case resp.StatusCode() == 503:
			busy.Add(1)
		default:
			if other.Add(1) == 1 {
				fmt.Println("first unexpected QR answer:", resp.StatusCode(), string(resp.Body()))
			}
		}
	}
}

// holdIdle opens n connections that never send a request and keeps them
// until stop, reopening those the server closes. A connection answered
// at once with a 503 was refused at a connection cap.
func holdIdle(host string, n int, held, refused *atomic.Int64, stop <-chan struct{}) {
	d := dialerFrom("127.0.0.2")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		select {
		case <-stop:
			return
		default:
		}
		c, err := d.Dial("tcp", host)
		if err != nil {
			refused.Add(1)
			continue
		}
		conns = append(conns, c)
	}
	// Tell held from refused: a refused one got a 503 and EOF.
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		line, err := bufio.NewReader(c).ReadString('\n')
		if strings.HasPrefix(line, "HTTP/1.1 503") || (err != nil && !isTimeout(err)) {
			refused.Add(1)
		} else {
			held.Add(1)
		}
	}
	<-stop
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
