package tickets

import "github.com/yimayou/yimayou/app/domain"

// ConcessionTypes are ticket types following the national concession
// policy as most Garzê sites apply it: half price for children 6-17,
// seniors 60-64 and full-time students, free entry under 6 and from 65.
// They are data: a site's rules are edited in its configuration.
func ConcessionTypes(adultFen int64) []TicketType {
	half := adultFen / 2
	return []TicketType{
		{Code: "adult", Fen: adultFen, Name: domain.Text{domain.Zh: "成人票", domain.En: "Adult", domain.Bo: "ན་ཚོད་སྨིན་པའི་འཛུལ་འཇུག་ལག་འཁྱེར།"}},
		{Code: "child", Fen: half, AgeMin: 6, AgeMax: 17,
			Name: domain.Text{domain.Zh: "儿童票（6–17岁）", domain.En: "Child (6–17)", domain.Bo: "བྱིས་པའི་འཛུལ་འཇུག་ལག་འཁྱེར། (ལོ་ ༦–༡༧)"}},
		{Code: "child-free", Fen: 0, AgeMax: 5,
			Name: domain.Text{domain.Zh: "6岁以下儿童（免票）", domain.En: "Under 6 (free)", domain.Bo: "ལོ་ ༦ མན་གྱི་བྱིས་པ། (རིན་མེད།)"}},
		{Code: "senior", Fen: half, AgeMin: 60, AgeMax: 64,
			Name: domain.Text{domain.Zh: "老年票（60–64岁）", domain.En: "Senior (60–64)", domain.Bo: "རྒན་པའི་འཛུལ་འཇུག་ལག་འཁྱེར། (ལོ་ ༦༠–༦༤)"}},
		{Code: "senior-free", Fen: 0, AgeMin: 65,
			Name: domain.Text{domain.Zh: "65岁及以上老人（免票）", domain.En: "65 and over (free)", domain.Bo: "ལོ་ ༦༥ ཡན་གྱི་རྒན་པ། (རིན་མེད།)"}},
		{Code: "student", Fen: half,
			Name:  domain.Text{domain.Zh: "学生票", domain.En: "Student", domain.Bo: "སློབ་མའི་འཛུལ་འཇུག་ལག་འཁྱེར།"},
			Proof: domain.Text{domain.Zh: "查验学生证", domain.En: "Check the student card", domain.Bo: "སློབ་མའི་ལག་འཁྱེར་ལ་ཞིབ་བཤེར་གྱིས།"}},
	}
}

// DemoSites are test fixtures close to the demo pack's two capped sites
// (whose real settings are content/sites/*/tickets.yaml): 稻城亚丁 with
// time slots, online payment through a made-up provider, 3-day tickets
// and refunds until 17:00 the day after the visit; 海螺沟 with a daily cap
// and payment at the gate.
func DemoSites() []SiteConfig {
	return []SiteConfig{
		SiteConfig{
			Site: "yading", County: "513337", Enabled: true, Types: ConcessionTypes(14600),
			Slots: []Slot{
				{Code: "0700", Start: "07:00", End: "09:00", Limit: 5000},
				{Code: "0900", Start: "09:00", End: "11:00", Limit: 5000},
				{Code: "1100", Start: "11:00", End: "13:00", Limit: 4000},
				{Code: "1300", Start: "13:00", End: "15:00", Limit: 2054},
			},
			Capacity:      domain.CarryingCapacity{AreaM2: 2_408_100, PerPersonM2: 300, OpenHours: 11, StayHours: 5.5},
			WalkInPercent: 10, BookDays: 7, HoldMinutes: 15, Payment: PayOnline, ValidDays: 3, MaxVisitors: 5,
			Checkout: domain.Checkout{Provider: "demo-pay", URL: "https://pay.example.com/checkout?order={order}&amount={amount}&expires={expires}&sig={sig}",
				Secret: "demo-checkout-secret-0123456789"},
			CancelDaysAfter: 1, CancelAt: "17:00",
		}.WithDefaults(),
		SiteConfig{
			Site: "hailuogou", County: "513322", Enabled: true, Types: ConcessionTypes(9000),
			Capacity:   domain.CarryingCapacity{AreaM2: 1_395_000, PerPersonM2: 300, OpenHours: 10, StayHours: 5},
			DailyLimit: 9300, WalkInPercent: 10, BookDays: 7, Payment: PayAtGate, ValidDays: 1, MaxVisitors: 5,
			CancelDaysAfter: 0, CancelAt: "17:00",
		}.WithDefaults(),
	}
}
