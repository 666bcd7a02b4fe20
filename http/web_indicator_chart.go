package http

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Charts of the indicator pages: inline SVG drawn on the server, with a
// title and a description (role="img"), every value written beside its
// bar, the target a labelled dashed line — nothing is told by colour
// alone, and the same numbers are in a table below each chart. No script,
// no style attributes (the CSP forbids them): classes only.
//
// Charts are laid out left to right and mirrored for right-to-left
// languages. Text keeps its anchor keyword when mirrored: under
// direction: rtl "start" is the right side, which is the mirror image.

// svgChart is one chart, in user units of its viewBox.
type svgChart struct {
	ID          string
	Title, Desc string
	W, H        int
	Lines       []svgLine
	Bars        []svgBar
	Texts       []svgText
	// Legend says what the marks mean, under the chart.
	Legend []string
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type svgBar struct {
	X, Y, W, H float64
	Class      string
}

type svgText struct {
	X, Y   float64
	Anchor string // start, middle or end
	Class  string
	Text   string
}

// canvas draws on a chart, mirroring x for right-to-left languages.
type canvas struct {
	c   *svgChart
	rtl bool
}

func (k canvas) x(x float64) float64 {
	if k.rtl {
		return float64(k.c.W) - x
	}
	return x
}

func (k canvas) line(x1, y1, x2, y2 float64, class string) {
	k.c.Lines = append(k.c.Lines, svgLine{X1: k.x(x1), Y1: y1, X2: k.x(x2), Y2: y2, Class: class})
}

func (k canvas) rect(x, y, w, h float64, class string) {
	if k.rtl {
		x = float64(k.c.W) - x - w
	}
	k.c.Bars = append(k.c.Bars, svgBar{X: x, Y: y, W: w, H: h, Class: class})
}

func (k canvas) text(x, y float64, anchor, class, text string) {
	k.c.Texts = append(k.c.Texts, svgText{X: k.x(x), Y: y, Anchor: anchor, Class: class, Text: text})
}

// chartValue is one bar: its label, its value (Has false: no data), the
// words written beside it, and its class.
type chartValue struct {
	Label string
	Value float64
	Has   bool
	Text  string
	Class string
}

// chartScale is the value axis: its top and the ticks to label.
type chartScale struct {
	Max   float64
	Ticks []float64
	Label func(float64) string
}

// rateScale is 0 to 100 %.
func rateScale(label func(float64) string) chartScale {
	return chartScale{Max: 1, Ticks: []float64{0, 0.25, 0.5, 0.75, 1}, Label: label}
}

// daysScale is 0 to a round number of days above every value, labelled at
// 0, half and the top.
func daysScale(top float64, label func(float64) string) chartScale {
	half := niceCeil(top * 1.1 / 2)
	return chartScale{Max: 2 * half, Ticks: []float64{0, half, 2 * half}, Label: label}
}

// niceCeil is the smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
// power of ten that is at least v (and at least 1).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*pow >= v-1e-9 {
			return m * pow
		}
	}
	return 10 * pow
}

// refLine is a reference drawn across a chart: the target, the overall
// value.
type refLine struct {
	Value float64
	Text  string
	// Sub is a second line under Text, for labels beside a plot.
	Sub   string
	Class string
}

// trendChart draws values over time as vertical bars, with the target as a
// dashed line labelled beside the plot.
func trendChart(id, title, desc string, rtl bool, vals []chartValue, sc chartScale, target refLine, noData string) *svgChart {
	const (
		w, h             = 560, 250
		ml, mr, mt, mb   = 56.0, 96.0, 24.0, 40.0
		plotW, plotH     = w - ml - mr, h - mt - mb
		barShare         = 0.56
		tickPad, textPad = 6.0, 6.0
	)
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, H: h}
	k := canvas{c: c, rtl: rtl}
	y := func(v float64) float64 { return mt + plotH - math.Min(v, sc.Max)/sc.Max*plotH }
	for _, t := range sc.Ticks {
		k.line(ml, y(t), ml+plotW, y(t), "grid")
		k.text(ml-tickPad, y(t)+4, "end", "tick", sc.Label(t))
	}
	k.line(ml, mt+plotH, ml+plotW, mt+plotH, "axis")
	slot := plotW / float64(len(vals))
	bw := slot * barShare
	for i, v := range vals {
		x := ml + float64(i)*slot + (slot-bw)/2
		cx := x + bw/2
		k.text(cx, mt+plotH+18, "middle", "xlabel "+v.Class, v.Label)
		if !v.Has {
			k.text(cx, mt+plotH-textPad, "middle", "value none", noData)
			continue
		}
		top := y(v.Value)
		k.rect(x, top, bw, mt+plotH-top, "bar "+v.Class)
		k.text(cx, top-textPad, "middle", "value", v.Text)
	}
	ty := y(target.Value)
	k.line(ml, ty, ml+plotW, ty, "target")
	k.text(ml+plotW+textPad, ty-2, "start", "target-label", target.Text)
	k.text(ml+plotW+textPad, ty+12, "start", "target-label", target.Sub)
	return c
}

// groupChart draws one bar per group, horizontally, with the overall
// value (dotted) and the target (dashed) as labelled vertical lines.
func groupChart(id, title, desc string, rtl bool, vals []chartValue, sc chartScale, overall, target refLine, noData string) *svgChart {
	const (
		w              = 560
		labelW, valueW = 170.0, 104.0
		mt, mb         = 40.0, 10.0
		rowH, barH     = 28.0, 16.0
		plotW          = w - labelW - valueW
		textPad        = 6.0
	)
	h := mt + float64(len(vals))*rowH + mb
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, H: int(math.Ceil(h))}
	k := canvas{c: c, rtl: rtl}
	x := func(v float64) float64 { return labelW + math.Min(v, sc.Max)/sc.Max*plotW }
	for _, t := range sc.Ticks {
		k.line(x(t), mt-4, x(t), h-mb, "grid")
	}
	k.line(labelW, mt-4, labelW, h-mb, "axis")
	for i, v := range vals {
		top := mt + float64(i)*rowH + (rowH-barH)/2
		mid := top + barH/2 + 4
		k.text(labelW-textPad, mid, "end", "ylabel", shorten(v.Label, 26))
		if !v.Has {
			k.text(labelW+textPad, mid, "start", "value none", noData)
			continue
		}
		k.rect(labelW, top, x(v.Value)-labelW, barH, "bar "+v.Class)
		k.text(x(v.Value)+textPad, mid, "start", "value", v.Text)
	}
	// The two reference lines are labelled on two rows above the plot, so
	// their labels never overlap however close the values are.
	for i, ref := range []refLine{target, overall} {
		if ref.Text == "" {
			continue
		}
		rx := x(ref.Value)
		k.line(rx, mt-6, rx, h-mb, ref.Class)
		ly := 12 + float64(i)*14
		anchor := "middle"
		switch {
		case rx < labelW+60:
			anchor = "start"
		case rx > labelW+plotW-60:
			anchor = "end"
		}
		k.text(rx, ly, anchor, ref.Class+"-label", ref.Text)
	}
	return c
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
