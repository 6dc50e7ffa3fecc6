// Command drawimages draws the pictures that the repository ships, so that
// they can be drawn again and checked: templates/og.png, the default picture
// of links to a site, and the sample site's map of the middle Amur and
// Harbin, content/2024/harbin-map.png. Run it from the repository's root:
//
//	go run ./internal/cmd/drawimages
//
// Both are flat colours drawn with the standard library alone, so that
// they stay small: shapes are filled by sampling each pixel four times, and
// lines by their distance from the pixel.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"log"
	"math"
	"os"
)

func main() {
	og := flag.String("og", "templates/og.png", "where to write the default picture of links to a site")
	amur := flag.String("map", "content/2024/harbin-map.png", "where to write the sample site's map")
	flag.Parse()
	for _, p := range []struct {
		path string
		img  image.Image
	}{{*og, drawOG()}, {*amur, drawMap()}} {
		if err := write(p.path, p.img); err != nil {
			log.Fatal(err)
		}
		st, _ := os.Stat(p.path)
		fmt.Printf("%s: %d×%d, %d bytes\n", p.path, p.img.Bounds().Dx(), p.img.Bounds().Dy(), st.Size())
	}
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// canvas is an RGB picture painted in floating point, then quantised once.
type canvas struct {
	w, h int
	px   []rgb
}

type rgb struct{ r, g, b float64 }

func hexColor(s string) rgb {
	var r, g, b int
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return rgb{float64(r), float64(g), float64(b)}
}

func newCanvas(w, h int, bg rgb) *canvas {
	c := &canvas{w: w, h: h, px: make([]rgb, w*h)}
	for i := range c.px {
		c.px[i] = bg
	}
	return c
}

// blend paints colour col over pixel (x, y) with coverage a, from 0 to 1.
func (c *canvas) blend(x, y int, col rgb, a float64) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h || a <= 0 {
		return
	}
	a = math.Min(a, 1)
	p := &c.px[y*c.w+x]
	p.r += (col.r - p.r) * a
	p.g += (col.g - p.g) * a
	p.b += (col.b - p.b) * a
}

func (c *canvas) image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for i, p := range c.px {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = q(p.r), q(p.g), q(p.b), 255
	}
	return img
}

func q(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

// fill paints the points inside the shape in, given as a test on a point
// in pixel coordinates, sampling each pixel four times.
func (c *canvas) fill(col rgb, in func(x, y float64) bool) {
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			n := 0
			for _, o := range [4][2]float64{{.25, .25}, {.75, .25}, {.25, .75}, {.75, .75}} {
				if in(float64(x)+o[0], float64(y)+o[1]) {
					n++
				}
			}
			c.blend(x, y, col, float64(n)/4)
		}
	}
}

type pt struct{ x, y float64 }

// inPolygon tells, by the even-odd rule, whether p is inside poly.
func inPolygon(poly []pt, p pt) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// stroke draws the polyline line, width pixels wide; with dash > 0 it is
// drawn in dashes of dash pixels with gaps of gap pixels.
func (c *canvas) stroke(line []pt, width float64, col rgb, dash, gap float64) {
	cov := make(map[int]float64)
	along := 0.0
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		r := width/2 + 1
		x0, x1 := int(math.Floor(math.Min(a.x, b.x)-r)), int(math.Ceil(math.Max(a.x, b.x)+r))
		y0, y1 := int(math.Floor(math.Min(a.y, b.y)-r)), int(math.Ceil(math.Max(a.y, b.y)+r))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+.5, float64(y)+.5
				t := math.Max(0, math.Min(1, ((px-a.x)*dx+(py-a.y)*dy)/(l*l)))
				d := math.Hypot(px-(a.x+t*dx), py-(a.y+t*dy))
				v := math.Max(0, math.Min(1, width/2-d+.5))
				if dash > 0 && math.Mod(along+t*l, dash+gap) > dash {
					v = 0
				}
				k := y*c.w + x
				if x >= 0 && y >= 0 && x < c.w && y < c.h && v > cov[k] {
					cov[k] = v
				}
			}
		}
		along += l
	}
	for k, v := range cov {
		c.blend(k%c.w, k/c.w, col, v)
	}
}

// disc paints a disc of radius r at p.
func (c *canvas) disc(p pt, r float64, col rgb) {
	for y := int(p.y - r - 1); y <= int(p.y+r+1); y++ {
		for x := int(p.x - r - 1); x <= int(p.x+r+1); x++ {
			d := math.Hypot(float64(x)+.5-p.x, float64(y)+.5-p.y)
			c.blend(x, y, col, r-d+.5)
		}
	}
}

// ring paints a circle of radius r at p, width pixels wide.
func (c *canvas) ring(p pt, r, width float64, col rgb) {
	for y := int(p.y - r - width); y <= int(p.y+r+width); y++ {
		for x := int(p.x - r - width); x <= int(p.x+r+width); x++ {
			d := math.Hypot(float64(x)+.5-p.x, float64(y)+.5-p.y)
			c.blend(x, y, col, width/2-math.Abs(d-r)+.5)
		}
	}
}

// drawOG draws the favicon's two linked rings, white and gold, on its red,
// at the size link previews use (1200×630).
func drawOG() image.Image {
	c := newCanvas(1200, 630, hexColor("#a4161a"))
	const r, w = 150.0, 44.0
	c.ring(pt{600 - 0.55*r, 315}, r, w, hexColor("#ffffff"))
	c.ring(pt{600 + 0.55*r, 315}, r, w, hexColor("#ffd35c"))
	return c.image()
}

// The map shows longitudes 120°–144° E and latitudes 40°–51° N, with the
// longitudes shortened by the cosine of the middle latitude.
const (
	mapW, mapH                     = 960, 640
	lonW, lonE, latS, latN float64 = 120, 144, 40, 51
)

func proj(lon, lat float64) pt {
	return pt{(lon - lonW) / (lonE - lonW) * mapW, (latN - lat) / (latN - latS) * mapH}
}

func path(lonlat ...float64) []pt {
	var out []pt
	for i := 0; i+1 < len(lonlat); i += 2 {
		out = append(out, proj(lonlat[i], lonlat[i+1]))
	}
	return out
}

// drawMap draws a plain map of the Russian–Chinese border on the Amur and
// the Ussuri, with Harbin marked: coarse outlines from a few dozen points,
// enough to recognise the region, not to measure it.
func drawMap() image.Image {
	sea, river := hexColor("#bcd8ea"), hexColor("#5b9bc8")
	c := newCanvas(mapW, mapH, hexColor("#f3e7d3")) // China
	russia := path(126.9, 51.0, 127.5, 50.25, 128.3, 49.6, 129.4, 49.4, 130.4, 48.9, 130.8, 48.2, 131.4, 47.7, 132.5, 47.7,
		133.5, 48.1, 134.3, 48.4, 134.75, 48.3, 134.2, 47.5, 134.0, 46.7, 133.5, 46.0, 133.1, 45.3, 132.6, 45.1,
		131.9, 44.9, 131.2, 44.5, 131.0, 43.5, 130.9, 42.9, 130.6, 42.42, 131.2, 41.8, 144, 41.8, 144, 51)
	korea := path(124.35, 40.0, 125.0, 40.5, 125.9, 40.95, 126.6, 41.6, 127.2, 41.55, 128.1, 41.45, 128.1, 42.0, 129.0, 42.15,
		129.8, 42.9, 130.25, 42.85, 130.6, 42.42, 131.0, 42.0, 131.0, 40.0)
	japanSea := path(128.0, 40.0, 128.7, 40.3, 129.3, 40.8, 129.8, 41.5, 129.9, 41.9, 130.4, 42.3, 130.7, 42.35, 131.0, 42.6,
		131.5, 42.9, 131.9, 43.1, 132.3, 43.2, 132.9, 42.8, 133.8, 42.8, 135.2, 43.7, 136.3, 44.5, 137.4, 45.4, 138.3, 46.4,
		138.9, 47.2, 139.6, 48.1, 140.2, 48.8, 140.5, 49.8, 140.5, 50.5, 140.6, 51.0, 144, 51, 144, 40)
	bohai := path(120.0, 40.0, 120.0, 40.25, 120.8, 40.7, 121.2, 40.95, 121.9, 40.85, 122.25, 40.55, 121.95, 40.2, 121.75, 40.0)
	koreaBay := path(123.0, 40.0, 123.9, 40.15, 124.35, 40.05, 124.5, 40.0)
	sakhalin := path(141.9, 46.05, 142.1, 46.6, 141.85, 47.5, 142.0, 48.5, 142.1, 49.5, 142.2, 51.0, 143.2, 51.0, 143.1, 50.0,
		143.5, 49.3, 142.8, 48.6, 142.6, 47.6, 143.1, 46.6, 142.5, 46.7)
	hokkaido := path(141.6, 45.4, 141.9, 45.5, 142.8, 44.6, 144.0, 44.1, 144.0, 42.9, 143.3, 41.9, 141.2, 41.8, 140.0, 41.4,
		139.9, 42.2, 140.5, 43.2, 141.4, 43.3, 141.6, 44.3)
	honshu := path(139.9, 40.0, 140.0, 40.6, 140.3, 41.1, 140.9, 41.5, 141.5, 41.4, 141.9, 40.2, 142.0, 40.0)
	khanka := proj(132.4, 45.0)

	c.fill(hexColor("#e4ecdc"), func(x, y float64) bool { return inPolygon(russia, pt{x, y}) })
	c.fill(hexColor("#e8e6e1"), func(x, y float64) bool { return inPolygon(korea, pt{x, y}) })
	c.fill(sea, func(x, y float64) bool {
		p := pt{x, y}
		return inPolygon(japanSea, p) || inPolygon(bohai, p) || inPolygon(koreaBay, p)
	})
	c.fill(hexColor("#e4ecdc"), func(x, y float64) bool { return inPolygon(sakhalin, pt{x, y}) })
	c.fill(hexColor("#e8e6e1"), func(x, y float64) bool {
		p := pt{x, y}
		return inPolygon(hokkaido, p) || inPolygon(honshu, p)
	})
	c.fill(sea, func(x, y float64) bool {
		dx, dy := (x-khanka.x)/18, (y-khanka.y)/22
		return dx*dx+dy*dy < 1
	})

	// The graticule, every 5°, faint.
	grid := hexColor("#b9b4aa")
	for lon := 125.0; lon < lonE; lon += 5 {
		c.stroke([]pt{proj(lon, latS), proj(lon, latN)}, 1, grid, 0, 0)
	}
	for lat := 45.0; lat < latN; lat += 5 {
		c.stroke([]pt{proj(lonW, lat), proj(lonE, lat)}, 1, grid, 0, 0)
	}

	// Rivers: the Amur, the Ussuri and the Sungari through Harbin.
	c.stroke(path(126.9, 51.0, 127.5, 50.25, 128.3, 49.6, 129.4, 49.4, 130.4, 48.9, 130.8, 48.2, 131.4, 47.7, 132.5, 47.7,
		133.5, 48.1, 134.3, 48.4, 135.05, 48.48, 136.0, 49.0, 136.8, 50.0, 137.0, 50.55, 137.8, 51.0), 4, river, 0, 0)
	c.stroke(path(134.9, 48.4, 134.2, 47.5, 134.0, 46.7, 133.5, 46.0, 133.1, 45.3, 132.6, 45.1), 3, river, 0, 0)
	c.stroke(path(124.8, 45.2, 125.6, 45.5, 126.6, 45.75, 128.0, 45.95, 129.5, 46.3, 130.35, 46.8, 131.5, 47.3, 132.5, 47.7), 3, river, 0, 0)

	// Borders, dashed: Russia and China, then China and Korea.
	border := hexColor("#a4161a")
	c.stroke(path(126.9, 51.0, 127.5, 50.25, 128.3, 49.6, 129.4, 49.4, 130.4, 48.9, 130.8, 48.2, 131.4, 47.7, 132.5, 47.7,
		133.5, 48.1, 134.3, 48.4, 134.75, 48.3, 134.2, 47.5, 134.0, 46.7, 133.5, 46.0, 133.1, 45.3, 132.6, 45.1,
		131.9, 44.9, 131.2, 44.5, 131.0, 43.5, 130.9, 42.9, 130.6, 42.42), 2.5, border, 10, 6)
	c.stroke(path(124.35, 40.0, 125.0, 40.5, 125.9, 40.95, 126.6, 41.6, 127.2, 41.55, 128.1, 41.45, 128.1, 42.0, 129.0, 42.15,
		129.8, 42.9, 130.25, 42.85, 130.6, 42.42), 2, hexColor("#7a7f86"), 6, 5)

	// Cities: Harbin large, the others small.
	ink := hexColor("#1c2127")
	for _, city := range [][2]float64{{135.07, 48.48}, {131.89, 43.12}, {127.53, 50.26}, {125.32, 43.88}, {130.35, 46.8}} {
		p := proj(city[0], city[1])
		c.disc(p, 6, hexColor("#ffffff"))
		c.disc(p, 4, ink)
	}
	harbin := proj(126.63, 45.75)
	c.disc(harbin, 15, hexColor("#ffffff"))
	c.disc(harbin, 11, border)
	c.disc(harbin, 4.5, hexColor("#ffffff"))
	return c.image()
}
