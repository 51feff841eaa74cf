package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

func feedbackApp(t *testing.T) (*fiber.App, *Server, *fixture) {
	t.Helper()
	base := newFixture(t)
	var srv *Server
	f := newFixtureWith(t, base.store, nil, func(d *Deps) {
		d.Feedback = base.store
		d.FormSecret = []byte("0123456789abcdef0123456789abcdef")
	})
	srv = &Server{Deps: Deps{FormSecret: []byte("0123456789abcdef0123456789abcdef")}}
	return f.app, srv, f
}

func TestFeedbackForm(t *testing.T) {
	app, srv, f := feedbackApp(t)
	b := newBrowser(t, app)
	page := b.do("GET", "/s/513322/hailuogou/feedback?lang=en", nil)
	if page.status != 200 || !strings.Contains(page.body, "What would you like to tell us?") {
		t.Fatalf("form: %d", page.status)
	}
	// A token made just now is refused (too fast for a person); one made
	// ten seconds ago is taken.
	fresh := tokenRe.FindStringSubmatch(page.body)[1]
	post := func(token, rating, text, website string) resp {
		return b.do("POST", "/s/513322/hailuogou/feedback?lang=en", url.Values{"token": {token}, "rating": {rating},
			"text": {text}, "contact": {"13800000000"}, "website": {website}})
	}
	if r := post(fresh, "4", "Too fast", ""); r.status != 400 || !strings.Contains(r.body, "sent too fast") || !strings.Contains(r.body, "Too fast") {
		t.Errorf("instant post: %d (input must be kept)", r.status)
	}
	ok := srv.formToken("hailuogou", time.Now().Add(-10*time.Second))
	if r := post(ok, "9", "Bad rating", ""); r.status != 400 || !strings.Contains(r.body, "Choose from 1 to 5 stars") {
		t.Errorf("bad rating: %d", r.status)
	}
	if r := post(srv.formToken("yading", time.Now().Add(-10*time.Second)), "4", "Token of another site", ""); r.status != 400 {
		t.Errorf("token of another site: %d", r.status)
	}
	if r := post(srv.formToken("hailuogou", time.Now().Add(-4*time.Hour)), "4", "Old form", ""); r.status != 400 {
		t.Errorf("expired token: %d", r.status)
	}
	if r := post(ok, "5", "Bot text", "http://spam.example"); r.status != 200 || !strings.Contains(r.body, "Thank you") {
		t.Errorf("honeypot: %d", r.status)
	}
	if r := post(ok, "2", "路标不清楚", ""); r.status != 200 || !strings.Contains(r.body, "Thank you") {
		t.Fatalf("good post: %d %s", r.status, r.body)
	}
	list, err := f.store.ListFeedback(context.Background(), nil, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Text != "路标不清楚" || list[0].Rating != 2 || list[0].Lang != domain.En || list[0].County != "513322" {
		t.Fatalf("stored feedback: %+v", list)
	}
	if r := b.do("GET", "/s/513301/hailuogou/feedback", nil); r.status != 404 {
		t.Errorf("site under the wrong county: %d", r.status)
	}
}

func TestFeedbackRateLimit(t *testing.T) {
	app, srv, _ := feedbackApp(t)
	b := newBrowser(t, app)
	ok := srv.formToken("hailuogou", time.Now().Add(-10*time.Second))
	var last int
	for i := 0; i < 7; i++ {
		last = b.do("POST", "/s/513322/hailuogou/feedback", url.Values{"token": {ok}, "rating": {"3"}}).status
	}
	if last != 429 {
		t.Fatalf("7th post in 15 minutes: %d", last)
	}
}

func TestConsoleFeedbackScoping(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	mine, err := s.AddFeedback(ctx, domain.Feedback{Site: "hailuogou", County: "513322", Rating: 1, Text: "缆车排队太久"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := s.AddFeedback(ctx, domain.Feedback{Site: "yading", County: "513301", Rating: 4, Text: "Kangding secret"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if r := b.login("luding-editor", "a long test password"); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	r := b.do("GET", "/admin/feedback", nil)
	if r.status != 200 || !strings.Contains(r.body, "缆车排队太久") || strings.Contains(r.body, "Kangding secret") {
		t.Fatalf("feedback list: %d, scoped? %v", r.status, !strings.Contains(r.body, "Kangding secret"))
	}
	token := b.csrfFrom("/admin/feedback")
	if r := b.do("POST", "/admin/feedback/"+theirs.ID+"/resolve", url.Values{"_csrf": {token}}); r.status != 403 {
		t.Errorf("resolving another county's feedback by id: %d", r.status)
	}
	if r := b.do("POST", "/admin/feedback/"+mine.ID+"/resolve", url.Values{}); r.status != 403 {
		t.Errorf("resolving without CSRF: %d", r.status)
	}
	if r := b.do("POST", "/admin/feedback/"+mine.ID+"/resolve", url.Values{"_csrf": {token}}); r.status != 303 {
		t.Errorf("resolve: %d", r.status)
	}
	got, _ := s.Feedback(ctx, mine.ID)
	if got.Open() || got.ResolvedBy != "luding-editor" {
		t.Errorf("not resolved: %+v", got)
	}
	if r := b.do("GET", "/admin/feedback?state=all", nil); !strings.Contains(r.body, "Resolved in") {
		t.Error("resolved feedback does not show the time it took")
	}
	if r := b.do("POST", "/admin/feedback/nope/resolve", url.Values{"_csrf": {token}}); r.status != 404 {
		t.Errorf("unknown id: %d", r.status)
	}
}
