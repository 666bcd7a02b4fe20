package testserver

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a cookie-keeping HTTP client for the web interface: it
// follows redirects, sends forms as a same-origin browser would, and
// returns pages as text.
type Browser struct {
	s      *Server
	client *http.Client
	// Lang, when set, is sent as Accept-Language.
	Lang string
}

// Page is a fetched page.
type Page struct {
	Status int
	URL    *url.URL // after redirects
	Header http.Header
	Body   string
}

// Browser returns a new browser with no cookies.
func (s *Server) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{s: s, client: &http.Client{Jar: jar}}
}

// Get fetches a page.
func (b *Browser) Get(t testing.TB, path string) *Page {
	t.Helper()
	req, err := http.NewRequest("GET", b.s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

// Post submits a form (application/x-www-form-urlencoded) from a page of
// the same site.
func (b *Browser) Post(t testing.TB, path string, form url.Values) *Page {
	t.Helper()
	req, err := http.NewRequest("POST", b.s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(t, req)
}

func (b *Browser) do(t testing.TB, req *http.Request) *Page {
	t.Helper()
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(bytes.TrimSpace(body))}
}

// SignIn signs a demo user in (the demo users have no second step).
func (b *Browser) SignIn(t testing.TB, username string) *Page {
	t.Helper()
	p := b.Post(t, "/signin", url.Values{"username": {username}, "password": {b.s.Login(username).Password}})
	if p.URL.Path == "/signin" {
		t.Fatalf("signing in as %s: still on the sign-in page (status %d)", username, p.Status)
	}
	return p
}

var tokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// FormToken returns the first form token on the page, "" when none.
func (p *Page) FormToken() string {
	m := tokenRE.FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

var tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)

// Text is the page's text without tags, whitespace collapsed: what a
// person reads.
func (p *Page) Text() string {
	s := tagRE.ReplaceAllString(p.Body, " ")
	for _, e := range [][2]string{{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&#34;", `"`}, {"&quot;", `"`}} {
		s = strings.ReplaceAll(s, e[0], e[1])
	}
	return strings.Join(strings.Fields(s), " ")
}

// Contains reports whether the page's text contains s.
func (p *Page) Contains(s string) bool { return strings.Contains(p.Text(), s) }

// File is a file a form sends.
type File struct {
	Field, Name, ContentType string
	Data                     []byte
}

// PostMultipart submits a form as multipart/form-data, the fields first
// and the files last (as a browser sends a form whose file input is its
// last field), from a page of the same site.
func (b *Browser) PostMultipart(t testing.TB, path string, form url.Values, files []File) *Page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, f.Name))
		h.Set("Content-Type", f.ContentType)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.Data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", b.s.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.s.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(t, req)
}
