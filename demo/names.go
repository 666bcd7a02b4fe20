package demo

// Language tags. Dari is "fa-AF" (Persian as spoken in Afghanistan): it is
// the tag CLDR, browsers and golang.org/x/text display as "Dari", where the
// ISO 639-3 "prs" parses but has no display name.
const (
	langEnglish   = "en"
	langArabic    = "ar"
	langSpanish   = "es"
	langFrench    = "fr"
	langUkrainian = "uk"
	langDari      = "fa-AF"
	langPashto    = "ps"
	langSomali    = "so"
	langTigrinya  = "ti"
)

// languageMix is the share of each preferred language among clients, in
// percent: a mixed urban caseload of long-settled residents, Ukrainian
// families, and people from Afghanistan, the Horn of Africa, Syria, Sudan,
// Latin America and francophone Africa.
var languageMix = []weighted[string]{
	{langEnglish, 24}, {langArabic, 15}, {langSpanish, 10}, {langFrench, 8}, {langUkrainian, 10},
	{langDari, 10}, {langPashto, 5}, {langSomali, 9}, {langTigrinya, 9},
}

// languageName is the English name of each language, for record text.
var languageName = map[string]string{
	langEnglish: "English", langArabic: "Arabic", langSpanish: "Spanish", langFrench: "French",
	langUkrainian: "Ukrainian", langDari: "Dari", langPashto: "Pashto", langSomali: "Somali",
	langTigrinya: "Tigrinya",
}

// otherLanguages are languages a speaker of the key often also speaks.
var otherLanguages = map[string][]string{
	langArabic:    {"fr", "ku"},
	langSpanish:   {"pt", "qu"},
	langFrench:    {"ln", "sw", "wo", "ht"},
	langUkrainian: {"ru", "pl"},
	langDari:      {"ps", "fa", "ur"},
	langPashto:    {"fa-AF", "ur"},
	langSomali:    {"ar", "sw"},
	langTigrinya:  {"am", "ar"},
	langEnglish:   {"pa", "pl", "yo", "ga"},
}

// interpreterNeed is the chance, per preferred language, that a client
// needs an interpreter. English speakers never do.
var interpreterNeed = map[string]float64{
	langEnglish: 0, langArabic: 0.5, langSpanish: 0.3, langFrench: 0.25, langUkrainian: 0.35,
	langDari: 0.6, langPashto: 0.65, langSomali: 0.4, langTigrinya: 0.5,
}

// namePool holds names usual for one language. Where a name has common Latin
// transliterations, the variants are all listed, so the demo shows the same
// name spelled several ways (Mohammed, Muhammad, Mohamed; Yuliia, Yulia).
type namePool struct {
	women, men []string
	family     []string
	// secondFamily: Spanish-speaking clients often carry two surnames.
	secondFamily bool
	// noFamily is the chance that the client has a single name only, as many
	// Afghans do.
	noFamily float64
}

var names = map[string]namePool{
	langEnglish: {
		women: []string{"Emily", "Sophie", "Chloe", "Jessica", "Grace", "Olivia", "Amelia", "Jade", "Leanne", "Margaret",
			"Patricia", "Jean", "Shirley", "Niamh", "Siobhan", "Precious", "Aaliyah", "Kayleigh", "Bethany", "Doreen"},
		men: []string{"Jack", "Liam", "Connor", "Daniel", "James", "Thomas", "Ryan", "Kieran", "David", "Michael",
			"Robert", "George", "Kwame", "Chukwuemeka", "Dwayne", "Stephen", "Patrick", "Callum", "Wayne", "Harold"},
		family: []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Roberts", "Robinson",
			"Wright", "Walker", "Edwards", "Green", "Hall", "Lewis", "Harris", "Campbell", "Kelly", "Murphy",
			"O'Brien", "McCarthy", "Mensah", "Okoye", "Adeyemi", "Kowalski", "Wiśniewski", "Ahmed", "Khan", "Singh"},
	},
	langArabic: {
		women: []string{"Fatima", "Fatma", "Aisha", "Aysha", "Mariam", "Maryam", "Noor", "Nour", "Huda", "Rania",
			"Samira", "Amal", "Hanan", "Zainab", "Zeinab", "Yasmin", "Dalia", "Reem", "Rasha", "Lina"},
		men: []string{"Mohammed", "Muhammad", "Mohamed", "Ahmad", "Ahmed", "Omar", "Ali", "Hassan", "Hussein", "Hussain",
			"Khaled", "Khalid", "Youssef", "Yousef", "Ibrahim", "Mahmoud", "Mustafa", "Tariq", "Bilal", "Karim"},
		family: []string{"Al-Ahmad", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Darwish", "Al-Khatib", "Abdullah",
			"Suleiman", "Sulaiman", "Al-Masri", "Qassem", "Kassem", "Awad", "Jaber", "Othman", "Osman", "Hamid"},
	},
	langSpanish: {
		women: []string{"María José", "Ana", "Lucía", "Carmen", "Valentina", "Daniela", "Gabriela", "Paola", "Rosa", "Marisol",
			"Yesenia", "Camila", "Guadalupe", "Luz Marina", "Adriana"},
		men: []string{"José Luis", "Juan Carlos", "Carlos", "Luis", "Miguel", "Andrés", "Javier", "Diego", "Jorge", "Alejandro",
			"Wilmer", "Santiago", "Jhon", "Edwin", "Héctor"},
		family: []string{"García", "López", "Hernández", "Ruiz", "Martínez", "Rodríguez", "Pérez", "González", "Sánchez", "Ramírez",
			"Castillo", "Torres", "Flores", "Núñez", "Vargas", "Méndez", "Castro", "Ortiz", "Morales", "Jiménez"},
		secondFamily: true,
	},
	langFrench: {
		women: []string{"Marie-Claire", "Aminata", "Fatoumata", "Grâce", "Esther", "Josiane", "Clarisse", "Mireille", "Nadège", "Chantal",
			"Bénédicte", "Fabiola", "Rose-Marie", "Solange"},
		men: []string{"Jean-Baptiste", "Patrice", "Emmanuel", "Serge", "Didier", "Ibrahima", "Mamadou", "Moussa", "Olivier", "Christian",
			"Fabrice", "Thierry", "Jean-Pierre", "Guy-Roger"},
		family: []string{"Mbala", "Tshibanda", "Diallo", "Traoré", "Camara", "Koné", "Bamba", "Ngoma", "Mukendi", "Kasongo",
			"Lumbala", "Pierre-Louis", "Joseph", "Étienne", "Nzeyimana", "Habimana", "Uwimana", "Mbuyi", "Fofana", "Ndiaye"},
	},
	langUkrainian: {
		women: []string{"Olena", "Oksana", "Iryna", "Nataliia", "Natalia", "Yuliia", "Yulia", "Tetiana", "Tatiana", "Kateryna",
			"Svitlana", "Halyna", "Mariia", "Anastasiia", "Viktoriia", "Liudmyla"},
		men: []string{"Oleksandr", "Olexandr", "Andrii", "Andriy", "Serhii", "Sergiy", "Dmytro", "Mykola", "Volodymyr", "Yurii",
			"Vasyl", "Bohdan", "Taras", "Ihor", "Maksym"},
		family: []string{"Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko", "Boyko", "Kovalchuk", "Oliinyk", "Oliynyk",
			"Lysenko", "Marchenko", "Savchenko", "Rudenko", "Petrenko", "Moroz", "Hnatiuk", "Pavlenko"},
	},
	langDari: {
		women: []string{"Zahra", "Fatima", "Maryam", "Nilofar", "Farzana", "Parwana", "Shabnam", "Mursal", "Roya", "Marzia",
			"Freshta", "Fereshta", "Sodaba", "Mahbooba", "Mahbuba"},
		men: []string{"Ahmad", "Mohammad", "Ali", "Hamid", "Reza", "Jawad", "Mustafa", "Sayed", "Abdul Wahid", "Sharif",
			"Mahmood", "Mahmud", "Naveed", "Hussain", "Zaki"},
		family: []string{"Ahmadi", "Rahimi", "Hashimi", "Karimi", "Sultani", "Hussaini", "Mohammadi", "Rezai", "Rezaei", "Azizi",
			"Hakimi", "Jafari", "Sadat", "Haidari", "Haideri"},
		noFamily: 0.15,
	},
	langPashto: {
		women: []string{"Gulalai", "Nazia", "Palwasha", "Zarghona", "Zarghuna", "Shaista", "Wazhma", "Mina", "Laila", "Nasrin"},
		men: []string{"Mirwais", "Ahmad Shah", "Zalmai", "Gul Agha", "Naqibullah", "Hayatullah", "Sher Khan", "Samiullah",
			"Rahmatullah", "Asadullah", "Asadallah"},
		family:   []string{"Khan", "Popal", "Stanikzai", "Wardak", "Zadran", "Mangal", "Safi", "Durrani", "Ahmadzai", "Shinwari"},
		noFamily: 0.2,
	},
	langSomali: {
		women: []string{"Amina", "Faadumo", "Fadumo", "Sahra", "Sahro", "Ifrah", "Hibo", "Asha", "Nimco", "Ayaan",
			"Deeqa", "Ubah", "Khadra", "Hodan"},
		men: []string{"Abdirahman", "Abdurahman", "Abdulrahman", "Mohamed", "Maxamed", "Abdullahi", "Ahmed", "Axmed", "Hassan", "Xasan",
			"Ali", "Omar", "Cumar", "Yusuf", "Ismail", "Abdikarim", "Liban", "Bashir"},
		// Somali family names are a father's or grandfather's given name.
		family: []string{"Warsame", "Abdi", "Mohamed", "Hassan", "Farah", "Omar", "Jama", "Ali", "Nur", "Hersi",
			"Dirie", "Osman", "Yusuf", "Aden", "Ismail", "Egal"},
	},
	langTigrinya: {
		women: []string{"Selam", "Helen", "Senait", "Luwam", "Yordanos", "Rahel", "Mebrat", "Tsega", "Aster", "Saba",
			"Feven", "Winta"},
		men: []string{"Yonas", "Dawit", "Tesfay", "Tesfaye", "Tesfai", "Mehari", "Berhane", "Samuel", "Kidane", "Semere",
			"Tekle", "Habtom", "Goitom", "Filmon", "Biniam"},
		// Patronymic, with the usual spelling variants (Gebre/Ghebre, Tsegay/Tsegai).
		family: []string{"Tesfamariam", "Gebremedhin", "Gebremeskel", "Ghebremeskel", "Haile", "Tekle", "Woldemichael",
			"Weldemichael", "Kidane", "Berhe", "Asmerom", "Ghebreyesus", "Mehari", "Abraha", "Tsegay", "Tsegai"},
	},
}

// asciiFold maps the accented letters the name pools use to ASCII, for
// e-mail addresses.
var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'é': "e", 'è': "e", 'ê': "e", 'É': "e", 'í': "i", 'î': "i", 'ó': "o",
	'ô': "o", 'ú': "u", 'ü': "u", 'ñ': "n", 'ç': "c", 'ś': "s", 'ı': "i",
}
