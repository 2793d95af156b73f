"""Practical information of the demo, in all seven languages: places, agencies, topics.

Plain language, short sentences. `fill_practical_information()` adds what is missing
and never overwrites a text a coordinator has written.
"""

from __future__ import annotations

from collections.abc import Mapping

from consult.coordination.service import LOCATION_PRACTICAL
from consult.models import Agency, Location, Topic

Texts = dict[str, str]

# location slug -> kind of practical information -> language -> text
PLACES: dict[str, dict[str, Texts]] = {
    "magdeburg": {
        "directions": {
            "de": "Straßenbahn 1, 2, 5 oder 6 bis Haltestelle Alter Markt. Dann 3 Minuten zu Fuß.",
            "en": "Take tram 1, 2, 5 or 6 to the stop Alter Markt. Then walk 3 minutes.",
            "ar": "اركب الترام 1 أو 2 أو 5 أو 6 حتى محطة Alter Markt. ثم امشِ 3 دقائق.",
            "fa": "با تراموای ۱، ۲، ۵ یا ۶ تا ایستگاه Alter Markt بروید. بعد ۳ دقیقه پیاده بروید.",
            "uk": "Трамваєм 1, 2, 5 або 6 до зупинки Alter Markt. Далі 3 хвилини пішки.",
            "ru": "Трамваем 1, 2, 5 или 6 до остановки Alter Markt. Дальше 3 минуты пешком.",
            "tr": "1, 2, 5 veya 6 numaralı tramvayla Alter Markt durağına gidin. Sonra 3 dakika yürüyün.",
        },
        "parking": {
            "de": "Am Haus gibt es keine Parkplätze. Das Parkhaus Allee-Center ist 5 Minuten entfernt. Es kostet Geld.",
            "en": "There is no parking at the house. The Allee-Center car park is 5 minutes away. You have to pay.",
            "ar": "لا توجد مواقف سيارات عند المبنى. موقف Allee-Center يبعد 5 دقائق. الموقف مدفوع.",
            "fa": "کنار ساختمان پارکینگ نیست. پارکینگ Allee-Center پنج دقیقه فاصله دارد. پولی است.",
            "uk": "Біля будинку паркування немає. Паркінг Allee-Center за 5 хвилин. Він платний.",
            "ru": "У здания парковки нет. Парковка Allee-Center в 5 минутах. Она платная.",
            "tr": "Binanın yanında otopark yok. Allee-Center otoparkı 5 dakika uzaklıkta. Ücretlidir.",
        },
        "accessibility": {
            "de": "Eingang ohne Stufen. Aufzug in alle Etagen. Barrierefreie Toilette im Erdgeschoss.",
            "en": "Entrance without steps. Lift to all floors. Accessible toilet on the ground floor.",
            "ar": "مدخل بدون درج. مصعد إلى كل الطوابق. مرحاض مناسب لذوي الإعاقة في الطابق الأرضي.",
            "fa": "ورودی بدون پله. آسانسور به همه طبقه‌ها. توالت مناسب معلولان در طبقه همکف.",
            "uk": "Вхід без сходинок. Ліфт на всі поверхи. Туалет для людей з інвалідністю на першому поверсі.",
            "ru": "Вход без ступенек. Лифт на все этажи. Туалет для людей с инвалидностью на первом этаже.",
            "tr": "Basamaksız giriş. Tüm katlara asansör. Zemin katta engelli tuvaleti.",
        },
        "opening": {
            "de": "Die Türen öffnen um 8:30 Uhr. Der Empfang ist im Eingangsbereich.",
            "en": "The doors open at 8:30. The front desk is in the entrance hall.",
            "ar": "تُفتح الأبواب الساعة 8:30. مكتب الاستقبال في قاعة المدخل.",
            "fa": "درها ساعت ۸:۳۰ باز می‌شوند. پذیرش در سالن ورودی است.",
            "uk": "Двері відчиняються о 8:30. Рецепція у вхідному холі.",
            "ru": "Двери открываются в 8:30. Регистрация в холле у входа.",
            "tr": "Kapılar 8:30'da açılır. Danışma giriş holündedir.",
        },
    },
    "halle": {
        "directions": {
            "de": "Straßenbahn 2, 5, 8, 9 oder 10 bis Marktplatz. Der Eingang ist neben dem Roten Turm.",
            "en": "Take tram 2, 5, 8, 9 or 10 to Marktplatz. The entrance is next to the Red Tower.",
            "ar": "اركب الترام 2 أو 5 أو 8 أو 9 أو 10 حتى محطة Marktplatz. المدخل بجانب البرج الأحمر.",
            "fa": "با تراموای ۲، ۵، ۸، ۹ یا ۱۰ تا Marktplatz بروید. ورودی کنار برج سرخ است.",
            "uk": "Трамваєм 2, 5, 8, 9 або 10 до зупинки Marktplatz. Вхід поруч із Червоною вежею.",
            "ru": "Трамваем 2, 5, 8, 9 или 10 до остановки Marktplatz. Вход рядом с Красной башней.",
            "tr": "2, 5, 8, 9 veya 10 numaralı tramvayla Marktplatz'a gidin. Giriş Kırmızı Kule'nin yanındadır.",
        },
        "parking": {
            "de": "Auf dem Marktplatz darf man nicht parken. Das Parkhaus Hallmarkt ist 5 Minuten zu Fuß entfernt. Es kostet Geld.",
            "en": "You cannot park on the market square. The Hallmarkt car park is 5 minutes on foot. You have to pay.",
            "ar": "لا يُسمح بالوقوف في ساحة السوق. موقف Hallmarkt على بعد 5 دقائق مشياً. الموقف مدفوع.",
            "fa": "در میدان بازار نمی‌شود پارک کرد. پارکینگ Hallmarkt پنج دقیقه پیاده فاصله دارد. پولی است.",
            "uk": "На ринковій площі паркуватися не можна. Паркінг Hallmarkt за 5 хвилин пішки. Він платний.",
            "ru": "На рыночной площади парковаться нельзя. Парковка Hallmarkt в 5 минутах пешком. Она платная.",
            "tr": "Pazar meydanına park edilemez. Hallmarkt otoparkı yürüyerek 5 dakika. Ücretlidir.",
        },
        "accessibility": {
            "de": "Rampe am Seiteneingang in der Straße Kleinschmieden. Aufzug im Haus. Barrierefreie Toilette im 1. Stock.",
            "en": "Ramp at the side entrance in Kleinschmieden street. Lift inside. Accessible toilet on the 1st floor.",
            "ar": "منحدر عند المدخل الجانبي في شارع Kleinschmieden. يوجد مصعد. مرحاض مناسب لذوي الإعاقة في الطابق الأول.",
            "fa": "رمپ در ورودی کناری در خیابان Kleinschmieden. آسانسور داخل ساختمان. توالت مناسب معلولان در طبقه اول.",
            "uk": "Пандус біля бічного входу з вулиці Kleinschmieden. У будинку є ліфт. Туалет для людей з інвалідністю на 2-му поверсі.",
            "ru": "Пандус у бокового входа с улицы Kleinschmieden. В здании есть лифт. Туалет для людей с инвалидностью на 2-м этаже.",
            "tr": "Kleinschmieden sokağındaki yan girişte rampa var. İçeride asansör var. Engelli tuvaleti 1. katta.",
        },
        "opening": {
            "de": "Die Türen öffnen um 8:30 Uhr. Ist die Haupttür zu, klingeln Sie bitte am Seiteneingang.",
            "en": "The doors open at 8:30. If the main door is closed, please ring at the side entrance.",
            "ar": "تُفتح الأبواب الساعة 8:30. إذا كان الباب الرئيسي مغلقاً، اضغط الجرس عند المدخل الجانبي.",
            "fa": "درها ساعت ۸:۳۰ باز می‌شوند. اگر در اصلی بسته بود، زنگ ورودی کناری را بزنید.",
            "uk": "Двері відчиняються о 8:30. Якщо головні двері зачинені, подзвоніть біля бічного входу.",
            "ru": "Двери открываются в 8:30. Если главная дверь закрыта, позвоните у бокового входа.",
            "tr": "Kapılar 8:30'da açılır. Ana kapı kapalıysa lütfen yan girişteki zili çalın.",
        },
    },
    "zeitz": {
        "directions": {
            "de": "Mit dem Zug bis Bahnhof Zeitz. Dann Bus 1 oder 2 bis Altmarkt, oder 15 Minuten zu Fuß.",
            "en": "Take the train to Zeitz station. Then bus 1 or 2 to Altmarkt, or walk 15 minutes.",
            "ar": "اركب القطار حتى محطة Zeitz. ثم الحافلة 1 أو 2 حتى Altmarkt، أو امشِ 15 دقيقة.",
            "fa": "با قطار تا ایستگاه Zeitz بروید. بعد با اتوبوس ۱ یا ۲ تا Altmarkt، یا ۱۵ دقیقه پیاده.",
            "uk": "Потягом до вокзалу Zeitz. Далі автобусом 1 або 2 до Altmarkt, або 15 хвилин пішки.",
            "ru": "Поездом до вокзала Zeitz. Дальше автобусом 1 или 2 до Altmarkt или 15 минут пешком.",
            "tr": "Trenle Zeitz istasyonuna gidin. Sonra 1 veya 2 numaralı otobüsle Altmarkt'a, ya da 15 dakika yürüyün.",
        },
        "parking": {
            "de": "Auf dem Altmarkt parken Sie 2 Stunden kostenlos. Bitte legen Sie eine Parkscheibe ins Auto.",
            "en": "You can park on the Altmarkt for 2 hours for free. Please put a parking disc in your car.",
            "ar": "يمكنك الوقوف في Altmarkt مجاناً لمدة ساعتين. ضع قرص الوقوف (Parkscheibe) في سيارتك.",
            "fa": "در Altmarkt دو ساعت پارک رایگان است. لطفاً دیسک پارک (Parkscheibe) را در ماشین بگذارید.",
            "uk": "На Altmarkt можна безкоштовно паркуватися 2 години. Покладіть у машину паркувальний диск.",
            "ru": "На Altmarkt можно бесплатно парковаться 2 часа. Положите в машину парковочный диск.",
            "tr": "Altmarkt'ta 2 saat ücretsiz park edebilirsiniz. Lütfen arabaya park diski koyun.",
        },
        "accessibility": {
            "de": "Eingang ohne Stufen hinten am Rathaus (Schützenplatz). Aufzug zum Bürgersaal. Keine barrierefreie Toilette.",
            "en": "Entrance without steps at the back of the town hall (Schützenplatz). Lift to the Bürgersaal. No accessible toilet.",
            "ar": "مدخل بدون درج خلف مبنى البلدية (Schützenplatz). مصعد إلى قاعة Bürgersaal. لا يوجد مرحاض لذوي الإعاقة.",
            "fa": "ورودی بدون پله پشت ساختمان شهرداری (Schützenplatz). آسانسور تا سالن Bürgersaal. توالت مناسب معلولان نیست.",
            "uk": "Вхід без сходинок із заднього боку ратуші (Schützenplatz). Ліфт до зали Bürgersaal. Туалету для людей з інвалідністю немає.",
            "ru": "Вход без ступенек с задней стороны ратуши (Schützenplatz). Лифт до зала Bürgersaal. Туалета для людей с инвалидностью нет.",
            "tr": "Belediye binasının arkasında basamaksız giriş (Schützenplatz). Bürgersaal'a asansör var. Engelli tuvaleti yok.",
        },
        "opening": {
            "de": "Das Rathaus öffnet 15 Minuten vor Beginn der Beratung. Gehen Sie in den Bürgersaal im 1. Stock.",
            "en": "The town hall opens 15 minutes before the advice starts. Go to the Bürgersaal on the 1st floor.",
            "ar": "تُفتح البلدية قبل بدء الاستشارة بـ 15 دقيقة. اذهب إلى قاعة Bürgersaal في الطابق الأول.",
            "fa": "شهرداری ۱۵ دقیقه پیش از شروع مشاوره باز می‌شود. به سالن Bürgersaal در طبقه اول بروید.",
            "uk": "Ратуша відчиняється за 15 хвилин до початку консультації. Ідіть до зали Bürgersaal на 2-му поверсі.",
            "ru": "Ратуша открывается за 15 минут до начала консультации. Идите в зал Bürgersaal на 2-м этаже.",
            "tr": "Belediye binası danışmanlık başlamadan 15 dakika önce açılır. 1. kattaki Bürgersaal'a gidin.",
        },
    },
    "weissenfels": {
        "directions": {
            "de": "Mit dem Zug bis Bahnhof Weißenfels. Dann 10 Minuten zu Fuß die Merseburger Straße entlang.",
            "en": "Take the train to Weißenfels station. Then walk 10 minutes along Merseburger Straße.",
            "ar": "اركب القطار حتى محطة Weißenfels. ثم امشِ 10 دقائق على طول شارع Merseburger Straße.",
            "fa": "با قطار تا ایستگاه Weißenfels بروید. بعد ۱۰ دقیقه در خیابان Merseburger Straße پیاده بروید.",
            "uk": "Потягом до вокзалу Weißenfels. Далі 10 хвилин пішки вздовж Merseburger Straße.",
            "ru": "Поездом до вокзала Weißenfels. Дальше 10 минут пешком по Merseburger Straße.",
            "tr": "Trenle Weißenfels istasyonuna gidin. Sonra Merseburger Straße boyunca 10 dakika yürüyün.",
        },
        "parking": {
            "de": "Kostenloser Parkplatz hinter dem Kulturhaus.",
            "en": "Free car park behind the Kulturhaus.",
            "ar": "موقف سيارات مجاني خلف مبنى Kulturhaus.",
            "fa": "پارکینگ رایگان پشت ساختمان Kulturhaus.",
            "uk": "Безкоштовна парковка за будинком Kulturhaus.",
            "ru": "Бесплатная парковка за зданием Kulturhaus.",
            "tr": "Kulturhaus'un arkasında ücretsiz otopark.",
        },
        "accessibility": {
            "de": "Eingang vorne ohne Stufen. Der Beratungsraum ist im Erdgeschoss. Barrierefreie Toilette vorhanden.",
            "en": "Entrance at the front without steps. The advice room is on the ground floor. Accessible toilet.",
            "ar": "المدخل الأمامي بدون درج. غرفة الاستشارة في الطابق الأرضي. يوجد مرحاض لذوي الإعاقة.",
            "fa": "ورودی جلو بدون پله. اتاق مشاوره در طبقه همکف است. توالت مناسب معلولان هست.",
            "uk": "Вхід спереду без сходинок. Кімната консультацій на першому поверсі. Є туалет для людей з інвалідністю.",
            "ru": "Вход спереди без ступенек. Комната консультаций на первом этаже. Есть туалет для людей с инвалидностью.",
            "tr": "Ön giriş basamaksız. Danışma odası zemin katta. Engelli tuvaleti var.",
        },
        "opening": {
            "de": "Die Türen öffnen 15 Minuten vor Beginn der Beratung. Folgen Sie dem Schild „Mobile Beratung“.",
            "en": "The doors open 15 minutes before the advice starts. Follow the sign “Mobile Beratung”.",
            "ar": "تُفتح الأبواب قبل بدء الاستشارة بـ 15 دقيقة. اتبع اللافتة «Mobile Beratung».",
            "fa": "درها ۱۵ دقیقه پیش از شروع مشاوره باز می‌شوند. تابلوی «Mobile Beratung» را دنبال کنید.",
            "uk": "Двері відчиняються за 15 хвилин до початку консультації. Ідіть за табличкою «Mobile Beratung».",
            "ru": "Двери открываются за 15 минут до начала консультации. Идите по табличке «Mobile Beratung».",
            "tr": "Kapılar danışmanlık başlamadan 15 dakika önce açılır. “Mobile Beratung” tabelasını takip edin.",
        },
    },
    "naumburg": {
        "directions": {
            "de": "Mit dem Zug bis Naumburg (Saale) Hauptbahnhof. Dann Bus 1 bis Haltestelle Kreisverwaltung.",
            "en": "Take the train to Naumburg (Saale) main station. Then bus 1 to the stop Kreisverwaltung.",
            "ar": "اركب القطار حتى محطة Naumburg (Saale) الرئيسية. ثم الحافلة 1 حتى محطة Kreisverwaltung.",
            "fa": "با قطار تا ایستگاه اصلی Naumburg (Saale) بروید. بعد با اتوبوس ۱ تا ایستگاه Kreisverwaltung.",
            "uk": "Потягом до головного вокзалу Naumburg (Saale). Далі автобусом 1 до зупинки Kreisverwaltung.",
            "ru": "Поездом до главного вокзала Naumburg (Saale). Дальше автобусом 1 до остановки Kreisverwaltung.",
            "tr": "Trenle Naumburg (Saale) ana istasyonuna gidin. Sonra 1 numaralı otobüsle Kreisverwaltung durağına.",
        },
        "parking": {
            "de": "Besucherparkplatz direkt am Gebäude. Er ist kostenlos.",
            "en": "Visitor car park right at the building. It is free.",
            "ar": "موقف للزوار بجانب المبنى مباشرة. الموقف مجاني.",
            "fa": "پارکینگ مراجعان درست کنار ساختمان است. رایگان است.",
            "uk": "Парковка для відвідувачів просто біля будівлі. Вона безкоштовна.",
            "ru": "Парковка для посетителей прямо у здания. Она бесплатная.",
            "tr": "Ziyaretçi otoparkı binanın hemen yanında. Ücretsizdir.",
        },
        "accessibility": {
            "de": "Haupteingang ohne Stufen. Aufzug im Haus. Barrierefreie Toilette im Erdgeschoss.",
            "en": "Main entrance without steps. Lift inside. Accessible toilet on the ground floor.",
            "ar": "المدخل الرئيسي بدون درج. يوجد مصعد. مرحاض لذوي الإعاقة في الطابق الأرضي.",
            "fa": "ورودی اصلی بدون پله. آسانسور داخل ساختمان. توالت مناسب معلولان در طبقه همکف.",
            "uk": "Головний вхід без сходинок. У будівлі є ліфт. Туалет для людей з інвалідністю на першому поверсі.",
            "ru": "Главный вход без ступенек. В здании есть лифт. Туалет для людей с инвалидностью на первом этаже.",
            "tr": "Ana giriş basamaksız. İçeride asansör var. Zemin katta engelli tuvaleti.",
        },
        "opening": {
            "de": "Das Gebäude öffnet um 8:00 Uhr. Sagen Sie an der Pforte, dass Sie zur mobilen Beratung kommen.",
            "en": "The building opens at 8:00. Tell the porter at the entrance that you come for the mobile advice.",
            "ar": "يُفتح المبنى الساعة 8:00. قل للبواب عند المدخل إنك قادم للاستشارة المتنقلة.",
            "fa": "ساختمان ساعت ۸:۰۰ باز می‌شود. به نگهبان ورودی بگویید برای مشاوره سیار آمده‌اید.",
            "uk": "Будівля відчиняється о 8:00. Скажіть на вході черговому, що ви на мобільну консультацію.",
            "ru": "Здание открывается в 8:00. Скажите дежурному на входе, что вы на мобильную консультацию.",
            "tr": "Bina 8:00'de açılır. Girişteki görevliye gezici danışmanlık için geldiğinizi söyleyin.",
        },
    },
}

# agency slug -> language -> who it helps with what
AGENCIES: dict[str, Texts] = {
    "jobcenter": {
        "de": "Für Menschen ohne oder mit zu wenig Einkommen. Zahlt Bürgergeld: Geld zum Leben und für die Miete. Hilft bei der Suche nach Arbeit oder einem Kurs.",
        "en": "For people with no income or too little. Pays Bürgergeld: money to live on and for the rent. Helps you find work or a course.",
        "ar": "للأشخاص الذين ليس لديهم دخل أو دخلهم قليل. يدفع Bürgergeld: مال للمعيشة والإيجار. يساعدك في إيجاد عمل أو دورة.",
        "fa": "برای کسانی که درآمد ندارند یا درآمدشان کم است. Bürgergeld می‌پردازد: پول برای زندگی و اجاره. در پیدا کردن کار یا دوره کمک می‌کند.",
        "uk": "Для людей без доходу або з малим доходом. Платить Bürgergeld: гроші на життя та оренду. Допомагає знайти роботу або курс.",
        "ru": "Для людей без дохода или с маленьким доходом. Платит Bürgergeld: деньги на жизнь и аренду. Помогает найти работу или курс.",
        "tr": "Geliri olmayan veya az olan kişiler için. Bürgergeld öder: yaşamak ve kira için para. İş veya kurs bulmanıza yardım eder.",
    },
    "agentur": {
        "de": "Hilft Ihnen, Arbeit oder eine Ausbildung zu finden. Berät zu Berufen. Zahlt Arbeitslosengeld, wenn Sie vorher in Deutschland gearbeitet haben.",
        "en": "Helps you find work or vocational training. Gives career advice. Pays unemployment benefit if you worked in Germany before.",
        "ar": "تساعدك في إيجاد عمل أو تدريب مهني. تقدم الإرشاد المهني. تدفع إعانة البطالة إذا كنت قد عملت في ألمانيا من قبل.",
        "fa": "به شما در پیدا کردن کار یا آموزش حرفه‌ای کمک می‌کند. مشاوره شغلی می‌دهد. اگر قبلاً در آلمان کار کرده‌اید، بیمه بیکاری می‌پردازد.",
        "uk": "Допомагає знайти роботу або професійне навчання. Консультує щодо професій. Платить допомогу з безробіття, якщо ви раніше працювали в Німеччині.",
        "ru": "Помогает найти работу или профессиональное обучение. Консультирует по профессиям. Платит пособие по безработице, если вы раньше работали в Германии.",
        "tr": "İş veya meslek eğitimi bulmanıza yardım eder. Meslek danışmanlığı yapar. Daha önce Almanya'da çalıştıysanız işsizlik parası öder.",
    },
    "abh": {
        "de": "Die Ausländerbehörde. Sie entscheidet über Visum, Aufenthaltserlaubnis und die Erlaubnis zu arbeiten. Hier verlängern Sie Ihren Aufenthaltstitel.",
        "en": "The immigration office. It decides on visas, residence permits and permission to work. Here you extend your residence permit.",
        "ar": "دائرة الأجانب. تقرر بشأن التأشيرة وتصريح الإقامة وإذن العمل. هنا تمدد تصريح إقامتك.",
        "fa": "اداره اتباع خارجی. درباره ویزا، اجازه اقامت و اجازه کار تصمیم می‌گیرد. اینجا اجازه اقامتتان را تمدید می‌کنید.",
        "uk": "Відомство у справах іноземців. Вирішує питання візи, дозволу на проживання та дозволу на роботу. Тут продовжують дозвіл на проживання.",
        "ru": "Ведомство по делам иностранцев. Решает вопросы визы, вида на жительство и разрешения на работу. Здесь продлевают вид на жительство.",
        "tr": "Yabancılar dairesi. Vize, oturma izni ve çalışma izni hakkında karar verir. Oturma izninizi burada uzatırsınız.",
    },
    "mbe": {
        "de": "Migrationsberatung für Erwachsene ab 27 Jahren. Kostenlos und vertraulich. Hilft bei Briefen, Ämtern, Deutschkursen und Fragen des Alltags.",
        "en": "Migration advice for adults aged 27 and older. Free and confidential. Helps with letters, offices, German courses and everyday questions.",
        "ar": "استشارة الهجرة للبالغين من عمر 27 سنة فما فوق. مجانية وسرية. تساعد في الرسائل والدوائر الرسمية ودورات الألمانية وأسئلة الحياة اليومية.",
        "fa": "مشاوره مهاجرت برای بزرگسالان ۲۷ سال به بالا. رایگان و محرمانه. در نامه‌ها، ادارات، کلاس‌های آلمانی و سؤال‌های روزمره کمک می‌کند.",
        "uk": "Міграційна консультація для дорослих від 27 років. Безкоштовно й конфіденційно. Допомагає з листами, установами, курсами німецької та щоденними питаннями.",
        "ru": "Миграционная консультация для взрослых от 27 лет. Бесплатно и конфиденциально. Помогает с письмами, учреждениями, курсами немецкого и бытовыми вопросами.",
        "tr": "27 yaş ve üstü yetişkinler için göç danışmanlığı. Ücretsiz ve gizli. Mektuplar, resmi daireler, Almanca kursları ve günlük sorularda yardım eder.",
    },
    "jmd": {
        "de": "Jugendmigrationsdienst für junge Menschen von 12 bis 27 Jahren. Kostenlos. Hilft bei Schule, Ausbildung, Deutschkursen und Fragen des Alltags.",
        "en": "Youth migration service for young people aged 12 to 27. Free. Helps with school, training, German courses and everyday questions.",
        "ar": "خدمة هجرة الشباب للشباب من عمر 12 إلى 27 سنة. مجانية. تساعد في المدرسة والتدريب المهني ودورات الألمانية وأسئلة الحياة اليومية.",
        "fa": "خدمات مهاجرت جوانان برای جوانان ۱۲ تا ۲۷ ساله. رایگان. در مدرسه، آموزش حرفه‌ای، کلاس‌های آلمانی و سؤال‌های روزمره کمک می‌کند.",
        "uk": "Молодіжна міграційна служба для молоді від 12 до 27 років. Безкоштовно. Допомагає зі школою, навчанням, курсами німецької та щоденними питаннями.",
        "ru": "Молодёжная миграционная служба для молодых людей от 12 до 27 лет. Бесплатно. Помогает со школой, обучением, курсами немецкого и бытовыми вопросами.",
        "tr": "12-27 yaş arası gençler için gençlik göç servisi. Ücretsiz. Okul, meslek eğitimi, Almanca kursları ve günlük sorularda yardım eder.",
    },
    "iq": {
        "de": "Beratung zur Anerkennung ausländischer Abschlüsse. Sagt Ihnen, welche Stelle Ihr Zeugnis prüft und wie Sie den Antrag stellen. Kostenlos.",
        "en": "Advice on the recognition of foreign qualifications. Tells you which office checks your certificate and how to apply. Free.",
        "ar": "استشارة حول الاعتراف بالشهادات الأجنبية. تخبرك أي جهة تفحص شهادتك وكيف تقدم الطلب. مجانية.",
        "fa": "مشاوره برای به رسمیت شناختن مدرک‌های خارجی. می‌گوید کدام اداره مدرک شما را بررسی می‌کند و چطور درخواست بدهید. رایگان.",
        "uk": "Консультація щодо визнання іноземних дипломів. Пояснює, яка установа перевіряє ваш документ і як подати заяву. Безкоштовно.",
        "ru": "Консультация по признанию иностранных дипломов. Объясняет, какое ведомство проверяет ваш документ и как подать заявление. Бесплатно.",
        "tr": "Yabancı diplomaların tanınması için danışmanlık. Belgenizi hangi kurumun incelediğini ve nasıl başvuracağınızı söyler. Ücretsiz.",
    },
    "ihk": {
        "de": "Die Industrie- und Handelskammer. Prüft ausländische Berufsabschlüsse in Handel und Industrie. Berät, wenn Sie ein Geschäft gründen wollen.",
        "en": "The Chamber of Industry and Commerce. Checks foreign vocational qualifications in trade and industry. Advises you on starting a business.",
        "ar": "غرفة الصناعة والتجارة. تفحص الشهادات المهنية الأجنبية في التجارة والصناعة. تقدم الاستشارة إذا أردت تأسيس عمل تجاري.",
        "fa": "اتاق صنعت و تجارت. مدرک‌های حرفه‌ای خارجی در بازرگانی و صنعت را بررسی می‌کند. برای راه‌اندازی کسب‌وکار مشاوره می‌دهد.",
        "uk": "Торгово-промислова палата. Перевіряє іноземні професійні дипломи у торгівлі та промисловості. Консультує, якщо ви хочете відкрити бізнес.",
        "ru": "Торгово-промышленная палата. Проверяет иностранные профессиональные дипломы в торговле и промышленности. Консультирует, если вы хотите открыть бизнес.",
        "tr": "Sanayi ve Ticaret Odası. Ticaret ve sanayideki yabancı meslek diplomalarını inceler. İş kurmak istiyorsanız danışmanlık yapar.",
    },
    "hwk": {
        "de": "Die Handwerkskammer. Prüft ausländische Abschlüsse im Handwerk, zum Beispiel Friseurin oder Elektriker. Berät zu Ausbildung und eigenem Betrieb.",
        "en": "The Chamber of Crafts. Checks foreign qualifications in crafts, for example hairdresser or electrician. Advises on training and your own business.",
        "ar": "غرفة الحرف. تفحص الشهادات الأجنبية في الحرف، مثل الحلاقة أو الكهرباء. تقدم الاستشارة حول التدريب وفتح ورشة خاصة.",
        "fa": "اتاق صنایع دستی و پیشه‌وری. مدرک‌های خارجی در حرفه‌ها را بررسی می‌کند، مثلاً آرایشگری یا برق‌کاری. درباره آموزش و کسب‌وکار خودتان مشاوره می‌دهد.",
        "uk": "Ремісницька палата. Перевіряє іноземні дипломи з ремесел, наприклад перукаря чи електрика. Консультує щодо навчання та власної справи.",
        "ru": "Ремесленная палата. Проверяет иностранные дипломы по ремёслам, например парикмахера или электрика. Консультирует по обучению и своему делу.",
        "tr": "Zanaatkârlar Odası. Zanaat alanındaki yabancı diplomaları inceler, örneğin kuaför veya elektrikçi. Meslek eğitimi ve kendi işiniz için danışmanlık yapar.",
    },
}

# topic slug -> language -> what to bring
BRING: dict[str, Texts] = {
    "residence": {
        "de": "Pass, Aufenthaltstitel, Meldebescheinigung und Briefe der Ausländerbehörde.",
        "en": "Passport, residence permit, registration certificate (Meldebescheinigung) and letters from the immigration office.",
        "ar": "جواز السفر، تصريح الإقامة، شهادة تسجيل السكن (Meldebescheinigung) ورسائل دائرة الأجانب.",
        "fa": "پاسپورت، اجازه اقامت، گواهی ثبت محل سکونت (Meldebescheinigung) و نامه‌های اداره اتباع خارجی.",
        "uk": "Паспорт, дозвіл на проживання, довідку про реєстрацію (Meldebescheinigung) і листи від відомства у справах іноземців.",
        "ru": "Паспорт, вид на жительство, справку о регистрации (Meldebescheinigung) и письма от ведомства по делам иностранцев.",
        "tr": "Pasaport, oturma izni, ikamet belgesi (Meldebescheinigung) ve yabancılar dairesinden gelen mektuplar.",
    },
    "orientation": {
        "de": "Pass oder Ausweis. Briefe, die Sie bekommen haben und nicht verstehen.",
        "en": "Passport or ID card. Letters you got and do not understand.",
        "ar": "جواز السفر أو بطاقة الهوية. الرسائل التي وصلتك ولم تفهمها.",
        "fa": "پاسپورت یا کارت شناسایی. نامه‌هایی که گرفته‌اید و نمی‌فهمید.",
        "uk": "Паспорт або посвідчення особи. Листи, які ви отримали і не розумієте.",
        "ru": "Паспорт или удостоверение личности. Письма, которые вы получили и не понимаете.",
        "tr": "Pasaport veya kimlik kartı. Aldığınız ve anlamadığınız mektuplar.",
    },
    "benefits": {
        "de": "Pass oder Ausweis, Aufenthaltstitel, Mietvertrag, Ihre Bankverbindung (IBAN) und Briefe vom Jobcenter.",
        "en": "Passport or ID card, residence permit, rental contract, your bank details (IBAN) and letters from the Jobcenter.",
        "ar": "جواز السفر أو بطاقة الهوية، تصريح الإقامة، عقد الإيجار، بياناتك البنكية (IBAN) ورسائل مركز العمل (Jobcenter).",
        "fa": "پاسپورت یا کارت شناسایی، اجازه اقامت، قرارداد اجاره، اطلاعات حساب بانکی (IBAN) و نامه‌های جاب‌سنتر.",
        "uk": "Паспорт або посвідчення особи, дозвіл на проживання, договір оренди, банківські реквізити (IBAN) і листи від Jobcenter.",
        "ru": "Паспорт или удостоверение личности, вид на жительство, договор аренды, банковские реквизиты (IBAN) и письма от Jobcenter.",
        "tr": "Pasaport veya kimlik kartı, oturma izni, kira sözleşmesi, banka bilgileriniz (IBAN) ve Jobcenter'dan gelen mektuplar.",
    },
    "recognition": {
        "de": "Ihre Zeugnisse und Diplome, Übersetzungen wenn Sie welche haben, und Ihren Lebenslauf. Kopien reichen für den Anfang.",
        "en": "Your certificates and diplomas, translations if you have them, and your CV. Copies are enough to start.",
        "ar": "شهاداتك ودبلوماتك، والترجمات إن وُجدت، وسيرتك الذاتية. النسخ تكفي في البداية.",
        "fa": "مدرک‌ها و دیپلم‌هایتان، ترجمه‌ها اگر دارید، و رزومه‌تان. برای شروع کپی کافی است.",
        "uk": "Ваші атестати й дипломи, переклади, якщо вони є, і ваше резюме. Для початку достатньо копій.",
        "ru": "Ваши аттестаты и дипломы, переводы, если они есть, и ваше резюме. Для начала достаточно копий.",
        "tr": "Karneleriniz ve diplomalarınız, varsa çevirileri ve özgeçmişiniz. Başlangıç için fotokopiler yeterli.",
    },
    "career": {
        "de": "Ihren Lebenslauf und Zeugnisse von Schule oder Arbeit, wenn Sie welche haben.",
        "en": "Your CV and certificates from school or work, if you have them.",
        "ar": "سيرتك الذاتية وشهادات المدرسة أو العمل إن وُجدت.",
        "fa": "رزومه‌تان و مدرک‌های مدرسه یا کار، اگر دارید.",
        "uk": "Ваше резюме та документи зі школи або з роботи, якщо вони є.",
        "ru": "Ваше резюме и документы из школы или с работы, если они есть.",
        "tr": "Özgeçmişiniz ve varsa okul veya iş belgeleriniz.",
    },
    "german": {
        "de": "Pass oder Ausweis, Aufenthaltstitel und den Berechtigungsschein für einen Kurs, wenn Sie einen haben.",
        "en": "Passport or ID card, residence permit, and your course voucher (Berechtigungsschein) if you have one.",
        "ar": "جواز السفر أو بطاقة الهوية، تصريح الإقامة، وقسيمة الدورة (Berechtigungsschein) إن كانت لديك.",
        "fa": "پاسپورت یا کارت شناسایی، اجازه اقامت، و برگه مجوز دوره (Berechtigungsschein) اگر دارید.",
        "uk": "Паспорт або посвідчення особи, дозвіл на проживання і направлення на курс (Berechtigungsschein), якщо воно є.",
        "ru": "Паспорт или удостоверение личности, вид на жительство и направление на курс (Berechtigungsschein), если оно есть.",
        "tr": "Pasaport veya kimlik kartı, oturma izni ve varsa kurs hak belgesi (Berechtigungsschein).",
    },
    "training": {
        "de": "Ihren Lebenslauf, Schulzeugnisse und Nachweise über Kurse oder Arbeit.",
        "en": "Your CV, school certificates and proof of courses or work.",
        "ar": "سيرتك الذاتية، شهادات المدرسة، وإثباتات الدورات أو العمل.",
        "fa": "رزومه‌تان، کارنامه‌های مدرسه و گواهی دوره‌ها یا کار.",
        "uk": "Ваше резюме, шкільні атестати та підтвердження курсів або роботи.",
        "ru": "Ваше резюме, школьные аттестаты и подтверждения курсов или работы.",
        "tr": "Özgeçmişiniz, okul karneleriniz ve kurs veya iş belgeleriniz.",
    },
    "work": {
        "de": "Ihren Lebenslauf, Zeugnisse und Stellenangebote oder Briefe von Arbeitgebern.",
        "en": "Your CV, certificates and job offers or letters from employers.",
        "ar": "سيرتك الذاتية، شهاداتك، وعروض العمل أو رسائل أصحاب العمل.",
        "fa": "رزومه‌تان، مدرک‌ها و آگهی‌های کار یا نامه‌های کارفرماها.",
        "uk": "Ваше резюме, документи про освіту та пропозиції роботи або листи від роботодавців.",
        "ru": "Ваше резюме, документы об образовании и предложения работы или письма от работодателей.",
        "tr": "Özgeçmişiniz, belgeleriniz ve iş teklifleri veya işverenlerden gelen mektuplar.",
    },
    "work-permit": {
        "de": "Pass, Aufenthaltstitel und das Stellenangebot oder den Arbeitsvertrag.",
        "en": "Passport, residence permit and the job offer or work contract.",
        "ar": "جواز السفر، تصريح الإقامة، وعرض العمل أو عقد العمل.",
        "fa": "پاسپورت، اجازه اقامت و پیشنهاد کار یا قرارداد کار.",
        "uk": "Паспорт, дозвіл на проживання та пропозицію роботи або трудовий договір.",
        "ru": "Паспорт, вид на жительство и предложение работы или трудовой договор.",
        "tr": "Pasaport, oturma izni ve iş teklifi veya iş sözleşmesi.",
    },
    "business": {
        "de": "Pass, Aufenthaltstitel, Zeugnisse aus Ihrem Beruf und Ihre Geschäftsidee in wenigen Sätzen.",
        "en": "Passport, residence permit, certificates from your profession and your business idea in a few sentences.",
        "ar": "جواز السفر، تصريح الإقامة، شهادات مهنتك، وفكرة مشروعك في بضع جمل.",
        "fa": "پاسپورت، اجازه اقامت، مدرک‌های شغلی‌تان و ایده کسب‌وکارتان در چند جمله.",
        "uk": "Паспорт, дозвіл на проживання, документи про професію та вашу бізнес-ідею в кількох реченнях.",
        "ru": "Паспорт, вид на жительство, документы о профессии и вашу бизнес-идею в нескольких предложениях.",
        "tr": "Pasaport, oturma izni, mesleğinizle ilgili belgeler ve birkaç cümleyle iş fikriniz.",
    },
    "rights-at-work": {
        "de": "Arbeitsvertrag, Lohnabrechnungen und Briefe vom Arbeitgeber, zum Beispiel eine Kündigung.",
        "en": "Work contract, pay slips and letters from your employer, for example a notice of dismissal.",
        "ar": "عقد العمل، قسائم الراتب، ورسائل صاحب العمل، مثل رسالة الفصل.",
        "fa": "قرارداد کار، فیش‌های حقوقی و نامه‌های کارفرما، مثلاً نامه اخراج.",
        "uk": "Трудовий договір, розрахункові листи та листи від роботодавця, наприклад про звільнення.",
        "ru": "Трудовой договор, расчётные листки и письма от работодателя, например об увольнении.",
        "tr": "İş sözleşmesi, maaş bordroları ve işvereninizden gelen mektuplar, örneğin fesih bildirimi.",
    },
    "advancement": {
        "de": "Ihren Lebenslauf, Zeugnisse und den Anerkennungsbescheid, wenn Sie einen haben.",
        "en": "Your CV, certificates and the recognition decision (Anerkennungsbescheid) if you have one.",
        "ar": "سيرتك الذاتية، شهاداتك، وقرار الاعتراف (Anerkennungsbescheid) إن كان لديك.",
        "fa": "رزومه‌تان، مدرک‌ها و نامه به رسمیت شناختن مدرک (Anerkennungsbescheid) اگر دارید.",
        "uk": "Ваше резюме, документи про освіту та рішення про визнання (Anerkennungsbescheid), якщо воно є.",
        "ru": "Ваше резюме, документы об образовании и решение о признании (Anerkennungsbescheid), если оно есть.",
        "tr": "Özgeçmişiniz, belgeleriniz ve varsa denklik kararı (Anerkennungsbescheid).",
    },
}


def _merged(stored: Mapping[str, str] | None, demo: Texts) -> dict[str, str]:
    """The demo texts, with every text already stored kept as it is."""
    return {**demo, **{code: text for code, text in (stored or {}).items() if text}}


def fill_practical_information(
    locations: Mapping[str, Location], agencies: Mapping[str, Agency], topics: Mapping[str, Topic]
) -> None:
    """Add the demo's directions, parking, access, opening, descriptions and what to bring."""
    for slug, kinds in PLACES.items():
        if (location := locations.get(slug)) is not None:
            for kind, texts in kinds.items():
                column = LOCATION_PRACTICAL[kind]
                setattr(location, column, _merged(getattr(location, column), texts))
    for slug, texts in AGENCIES.items():
        if (agency := agencies.get(slug)) is not None:
            agency.description = _merged(agency.description, texts)
    for slug, texts in BRING.items():
        if (topic := topics.get(slug)) is not None:
            topic.bring = _merged(topic.bring, texts)
