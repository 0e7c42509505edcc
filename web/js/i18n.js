// Ukrainian first, English second. One dictionary per language; the pages'
// static HTML carries the Ukrainian text and data-i18n keys, so a page is
// readable even before (or without) this module.
//
//   <h1 data-i18n="home.title">…</h1>               textContent
//   <input data-i18n-attr="placeholder:track.placeholder">  attributes
//
// The choice: ?lang=en|uk in the address, else localStorage, else Ukrainian.

const STORE_KEY = 'kontakt.lang';
const LANGS = ['uk', 'en'];

const DICT = {
  uk: {
    'site.name': 'Контакт',
    'site.tagline': 'Міський контакт-центр',
    'site.taglineCity': 'Контакт-центр · {city}',
    'skip': 'Перейти до змісту',
    'lang.switch': 'English',
    'lang.switchLabel': 'Switch to English',
    'nav.label': 'Головне меню',
    'nav.home': 'Головна',
    'nav.appeal': 'Подати звернення',
    'nav.track': 'Моє звернення',
    'nav.map': 'Мапа',
    'nav.stats': 'Статистика',
    'nav.cabinet': 'Кабінет',
    'trial.banner': 'Пробний режим: звернення позначаються як пробні й не входять до офіційної статистики.',
    'loading': 'Завантаження…',
    'error.network': 'Немає зв’язку із сервером. Перевірте інтернет і спробуйте ще раз.',
    'error.server': 'Помилка сервера. Спробуйте ще раз трохи згодом.',
    'error.rate': 'Забагато запитів з вашої адреси. Зачекайте хвилину й спробуйте ще раз.',
    'error.loadCategories': 'Не вдалося завантажити перелік категорій. Оновіть сторінку.',

    // staff: reports.html (scorecards, violations register)
    'reports.pageTitle': 'Звіти — Контакт',
    'reports.title': 'Звіти',
    'reports.forbidden': 'Звіти доступні лише керівникам, аналітикам та адміністраторам.',
    'reports.period': 'Період',
    'reports.from': 'З',
    'reports.to': 'По',
    'reports.show': 'Показати',
    'reports.badPeriod': 'Перевірте дати: кінець періоду не може бути раніше за початок.',
    'reports.cards.title': 'Показники служб',
    'reports.cards.hint': 'Звернення, зареєстровані за період (без пробних). «Прострочено зараз» — відкриті звернення після строку виконання станом на зараз.',
    'reports.cards.caption': 'Показники служб за період {from} — {to}',
    'reports.col.org': 'Служба',
    'reports.col.appeals': 'Звернень',
    'reports.col.onTime': 'Вчасно',
    'reports.col.overdueNow': 'Прострочено зараз',
    'reports.col.median': 'Медіана до виконання, год',
    'reports.col.reopen': 'Повторно відкрито',
    'reports.col.rating': 'Середня оцінка',
    'reports.col.violations': 'Порушень',
    'reports.none': '—',
    'reports.viol.title': 'Реєстр порушень',
    'reports.viol.org': 'Служба',
    'reports.viol.kind': 'Вид порушення',
    'reports.viol.any': 'Усі',
    'reports.viol.csv': 'Завантажити CSV',
    'reports.viol.caption': 'Порушення, спершу нові',
    'reports.viol.total': 'Знайдено: {total}. Показано {first}–{last}.',
    'reports.viol.empty': 'Порушень за цими умовами немає.',
    'reports.viol.prev': 'Попередні',
    'reports.viol.next': 'Наступні',
    'reports.col.appeal': 'Звернення',
    'reports.col.kind': 'Порушення',
    'reports.col.user': 'Відповідальний',
    'reports.col.at': 'Коли',
    'reports.col.note': 'Примітка',
    'reports.nobody': 'не призначено',
    'violation.reaction_missed': 'Не прийнято вчасно',
    'violation.resolution_missed': 'Не виконано вчасно',
    'violation.reopened': 'Повторно відкрито',
    'violation.low_rating': 'Низька оцінка',

    'emergency.title': 'Загроза життю чи здоров’ю? Телефонуйте одразу:',
    'emergency.101': 'Пожежна служба',
    'emergency.102': 'Поліція',
    'emergency.103': 'Швидка допомога',
    'emergency.104': 'Аварійна газова служба',
    'emergency.call': 'Зателефонувати {phone}',

    'hotline.title': 'Гаряча лінія',
    'hotline.text': 'Зателефонуйте на гарячу лінію — оператор зареєструє звернення за вас.',
    'hotline.hours': 'Графік: {hours}',

    'home.title': 'Аварії та проблеми в місті — в одному місці',
    'home.lead': 'Повідомте про проблему з водою, теплом, світлом, ліфтом, дорогою чи сміттям. Звернення одразу отримує відповідальна служба, а строк виконання встановлюється автоматично — і ви бачите, чи його дотримано.',
    'home.cta': 'Подати звернення',
    'home.steps.title': 'Як це працює',
    'home.steps.1': 'Оберіть категорію та опишіть проблему, поставте мітку на карті.',
    'home.steps.2': 'Отримайте номер звернення і приватне посилання для відстеження.',
    'home.steps.3': 'Стежте за статусом і строками: прострочення фіксуються автоматично.',
    'home.categories.title': 'Категорії звернень',
    'home.categories.hint': 'Оберіть категорію, щоб одразу перейти до форми.',
    'track.box.title': 'Відстежити моє звернення',
    'track.box.label': 'Посилання для відстеження або код',
    'track.box.hint': 'Вставте посилання, яке ви отримали після подання звернення.',
    'track.box.submit': 'Відстежити',
    'track.box.empty': 'Вставте посилання для відстеження або код.',
    'track.box.invalid': 'Це не схоже на посилання для відстеження. Скопіюйте його повністю.',

    'appeal.title': 'Подати звернення',
    'appeal.lead': 'Поля, позначені зірочкою (*), обов’язкові. Ваші ім’я, телефон та email не публікуються.',
    'appeal.what': 'Що сталося',
    'appeal.where': 'Де це',
    'appeal.who': 'Ваші контакти',
    'appeal.category': 'Категорія',
    'appeal.category.choose': '— Оберіть категорію —',
    'appeal.type': 'Тип проблеми',
    'appeal.type.chooseCategory': 'Спочатку оберіть категорію.',
    'appeal.alert.title': 'Негайно телефонуйте {phone}',
    'appeal.alert.call': 'Зателефонувати {phone}',
    'appeal.alert.after': 'Після дзвінка ви можете також заповнити цю форму.',
    'appeal.typeInfo': '{priority}: виконавець має взятися за звернення {reaction}, виконати — {resolution}.',
    'appeal.typeLine': '{priority} · виконання {resolution}',
    'appeal.description': 'Опис проблеми',
    'appeal.description.hint': 'Що саме сталося, з якого часу, кого це стосується (під’їзд, будинок, вулиця).',
    'appeal.counter': '{n} з {max} символів',
    'appeal.counterMin': '{n} з {max} символів · ще щонайменше {left}',
    'appeal.map': 'Мітка на карті',
    'appeal.map.hint': 'Натисніть на карту, щоб поставити мітку, і перетягніть її за потреби. Або введіть координати нижче.',
    'appeal.map.label': 'Карта: натисніть, щоб поставити мітку',
    'appeal.map.center': 'Поставити мітку в центрі карти',
    'appeal.map.locate': 'Моє місцезнаходження',
    'appeal.map.locateFailed': 'Не вдалося визначити місцезнаходження.',
    'appeal.map.unavailable': 'Карта недоступна. Введіть координати вручну.',
    'appeal.map.offline': 'Підкладка карти не завантажилась (немає інтернету?). Мітку все одно можна поставити або ввести координати.',
    'appeal.lat': 'Широта',
    'appeal.lon': 'Довгота',
    'appeal.coords.hint': 'Наприклад, 48.4647 і 35.0462.',
    'appeal.address': 'Адреса або орієнтир',
    'appeal.address.hint': 'Наприклад: просп. Дмитра Яворницького, 1, під’їзд 2.',
    'address.hint': 'Почніть вводити назву вулиці — підкажемо нову назву, навіть якщо ви знаєте стару. Стрілки ↑↓ і Enter — вибрати.',
    'address.count': 'Підказок: {n}. Стрілки ↑↓ — переглянути, Enter — вибрати.',
    'address.none': 'Такої адреси в реєстрі немає — можна залишити як написано.',
    'address.chosen': 'Вибрано: {label}.',
    'address.fromPin': 'Адресу заповнено за міткою: найближча відома адреса.',
    'appeal.name': 'Ім’я',
    'appeal.phone': 'Телефон',
    'appeal.phone.hint': 'Український номер, наприклад 067 123 45 67.',
    'appeal.email': 'Email',
    'appeal.email.hint': 'Необов’язково.',
    'appeal.optional': '(необов’язково)',
    'appeal.submit': 'Надіслати звернення',
    'appeal.submitting': 'Надсилаємо…',
    'appeal.summary': 'Перевірте, будь ласка, такі поля:',
    'appeal.failed': 'Звернення не надіслано.',
    'appeal.retryNote': 'Повторна спроба не створить дубліката.',

    'v.required': 'Заповніть це поле.',
    'v.category': 'Оберіть категорію.',
    'v.type': 'Оберіть тип проблеми.',
    'v.tooShort': 'Закоротко: щонайменше {min} символів.',
    'v.tooLong': 'Задовго: не більше {max} символів.',
    'v.control': 'Текст містить недопустимі службові символи.',
    'v.pin': 'Поставте мітку на карті або введіть координати.',
    'v.number': 'Введіть число, наприклад 48.4647.',
    'v.bounds': 'Точка поза межами міста.',
    'v.phone': 'Введіть український номер, наприклад 067 123 45 67 або +380 67 123 45 67.',
    'v.email': 'Введіть email у форматі name@example.com.',

    'field.category': 'Категорія',
    'field.type': 'Тип проблеми',
    'field.description': 'Опис',
    'field.lat': 'Широта',
    'field.lon': 'Довгота',
    'field.address': 'Адреса',
    'field.name': 'Ім’я',
    'field.phone': 'Телефон',
    'field.email': 'Email',

    'done.title': 'Звернення зареєстровано',
    'done.number': 'Номер звернення',
    'done.status': 'Статус',
    'done.what': 'Категорія',
    'done.org': 'Відповідальна служба',
    'done.reaction': 'Прийняти в роботу до',
    'done.resolution': 'Виконати до',
    'done.kyivTime': 'Час київський.',
    'done.link': 'Приватне посилання для відстеження',
    'done.copy': 'Копіювати посилання',
    'done.copied': 'Посилання скопійовано.',
    'done.copyFailed': 'Не вдалося скопіювати — виділіть посилання і скопіюйте вручну.',
    'done.warning': 'Збережіть це посилання і не передавайте його нікому: за ним видно опис і адресу вашого звернення. Відновити його неможливо.',
    'done.open': 'Відкрити сторінку звернення',
    'done.another': 'Подати ще одне звернення',

    'track.title': 'Моє звернення',
    'track.notFound.title': 'Звернення не знайдено',
    'track.notFound.text': 'За цим посиланням звернення немає. Перевірте, що ви скопіювали посилання повністю.',
    'track.noToken': 'Вставте приватне посилання, яке ви отримали після подання звернення.',
    'track.number': 'Звернення № {number}',
    'track.numberLabel': 'Звернення №',
    'track.status': 'Статус',
    'track.category': 'Категорія',
    'track.type': 'Тип',
    'track.priority': 'Пріоритет',
    'track.org': 'Відповідальна служба',
    'track.created': 'Зареєстровано',
    'track.deadlines': 'Строки',
    'track.reaction': 'Прийняти в роботу',
    'track.resolution': 'Виконати',
    'track.due': 'до {time}',
    'track.left': 'залишилось {left}',
    'track.overdue': 'прострочено',
    'track.overdueBy': 'прострочено на {left}',
    'track.description': 'Опис',
    'track.address': 'Адреса',
    'track.noAddress': 'не вказано',
    'track.location': 'Місце на карті',
    'track.timeline': 'Історія',
    'track.private': 'Ця сторінка приватна: не поширюйте посилання на неї.',
    'track.refresh': 'Оновити',
    'track.updated': 'Оновлено о {time}',

    'priority.emergency': 'Аварійне',
    'priority.urgent': 'Термінове',
    'priority.normal': 'Планове',

    'status.new': 'Нове',
    'status.registered': 'Зареєстровано',
    'status.assigned': 'Передано виконавцю',
    'status.in_progress': 'У роботі',
    'status.done': 'Виконано, очікує підтвердження',
    'status.closed': 'Закрито',
    'status.rejected': 'Не підлягає розгляду',
    'status.forwarded': 'Переслано за належністю',
    'status.duplicate': 'Об’єднано з іншим зверненням',
    'track.merged.title': 'Ваше звернення об’єднано зі зверненням № {number}',
    'track.merged.intro': 'Про цю проблему вже повідомили, і служба працює за тим зверненням. Його стан і хід робіт показано тут.',
    'track.merged.due': 'строк виконання: {time}',
    'status.reopened': 'Повернуто на доопрацювання',

    'event.registered': 'Звернення зареєстровано',
    'event.reaction_overdue': 'Прострочено строк реакції',
    'event.resolution_overdue': 'Прострочено строк виконання',
    'event.assigned': 'Передано виконавцю',
    'event.in_progress': 'Виконавець узявся до роботи',
    'event.done': 'Виконавець повідомив про виконання',
    'event.closed': 'Звернення закрито',
    'event.reopened': 'Повернуто на доопрацювання',
    'event.rejected': 'Не підлягає розгляду',
    'event.forwarded': 'Переслано за належністю',
    'event.duplicate': 'Об’єднано з іншим зверненням',
    'event.extended': 'Строк виконання продовжено',
    'event.accepted': 'Виконавець прийняв звернення',
    'event.started': 'Роботи розпочато',
    'event.merged': 'Об’єднано з іншим зверненням про ту саму проблему',
    'event.extension_approved': 'Строк виконання продовжено',
    'event.confirmed': 'Заявник підтвердив виконання',
    'event.disputed': 'Заявник не погодився з виконанням',
    'event.rated': 'Заявник оцінив роботу',
    'event.commented': 'Заявник додав коментар',
    'event.autoclosed': 'Закрито автоматично: заявник не відповів у строк',
    'event.unknown': 'Оновлення звернення',
    'event.status': 'статус: {status}',

    'unit.hour': ['години', 'годин'],
    'unit.day': ['дня', 'днів'],
    'unit.month': ['місяця', 'місяців'],
    'within': 'протягом {n} {unit}',
    'dur.d': '{n} дн.',
    'dur.h': '{n} год',
    'dur.m': '{n} хв',
    'dur.s': '{n} с',

    'footer.text': 'Контакт — відкрите програмне забезпечення для міських контакт-центрів.',
    'footer.emergency': 'Екстрені служби: 101 · 102 · 103 · 104',

    'track.district': 'Район',
    'done.district': 'Район',
    'district.none': 'поза межами районів міста',
    'map.title': 'Мапа звернень',
    'map.intro': 'Публічні звернення мешканців: колір — статус, значок — категорія. Без персональних даних.',
    'map.filters': 'Фільтри',
    'map.category': 'Категорії',
    'map.categoryHint': 'Нічого не вибрано — усі категорії. Ctrl/⌘ — кілька.',
    'map.status': 'Статуси',
    'map.from': 'Від',
    'map.to': 'До',
    'map.district': 'Район',
    'map.allDistricts': 'Усі райони',
    'map.reset': 'Скинути фільтри',
    'map.noTiles': 'Підкладка мапи недоступна (немає зв’язку з сервером плиток); звернення показано без неї.',
    'map.legend': 'Легенда',
    'map.listTitle': 'У видимій області',
    'map.close': 'Закрити',
    'map.follow': 'Я теж стикнувся(лась) — стежити',
    'map.followHint': 'Ви отримуватимете сповіщення про хід цього звернення; воно з’явиться у кабінеті в розділі «Я теж стежу».',
    'map.followSignin': 'Стикнулися з тим самим? Увійдіть у кабінет, щоб стежити за цим зверненням.',
    'map.followSigninLink': 'Увійти в кабінет',
    'map.followed': 'Ви стежите за зверненням № {number}.',
    'map.alreadyFollowed': 'Ви вже стежите за зверненням № {number}.',
    'map.followCabinet': 'Мої підписки в кабінеті',
    'map.summary': 'У видимій області звернень: {n}',
    'map.summaryClusters': 'У видимій області звернень: {n}. Наблизьте мапу або виберіть групу, щоб побачити окремі звернення.',
    'map.truncated': 'Показано перші {n}; наблизьте мапу.',
    'map.clusterLabel': 'Група: {n} звернень — наблизити',
    'track.showOnMap': 'Показати на мапі',
  },
  en: {
    'site.name': 'Kontakt',
    'site.tagline': 'The city contact center',
    'site.taglineCity': 'City contact center · {city}',
    'skip': 'Skip to content',
    'lang.switch': 'Українська',
    'lang.switchLabel': 'Перейти на українську',
    'nav.label': 'Main menu',
    'nav.home': 'Home',
    'nav.appeal': 'File an appeal',
    'nav.track': 'My appeal',
    'nav.map': 'Map',
    'nav.stats': 'Statistics',
    'nav.cabinet': 'My cabinet',
    'trial.banner': 'Trial mode: appeals are marked as trial and left out of official statistics.',
    'loading': 'Loading…',
    'error.network': 'Cannot reach the server. Check your connection and try again.',
    'error.server': 'Server error. Please try again a little later.',
    'error.rate': 'Too many requests from your address. Wait a minute and try again.',
    'error.loadCategories': 'Could not load the categories. Reload the page.',

    // staff: reports.html (scorecards, violations register)
    'reports.pageTitle': 'Reports — Kontakt',
    'reports.title': 'Reports',
    'reports.forbidden': 'Reports are for supervisors, analysts and administrators only.',
    'reports.period': 'Period',
    'reports.from': 'From',
    'reports.to': 'To',
    'reports.show': 'Show',
    'reports.badPeriod': 'Check the dates: the period cannot end before it starts.',
    'reports.cards.title': 'Service scorecards',
    'reports.cards.hint': 'Appeals registered in the period (trial ones left out). “Overdue now” counts open appeals past their resolution deadline right now.',
    'reports.cards.caption': 'Service scorecards for {from} — {to}',
    'reports.col.org': 'Service',
    'reports.col.appeals': 'Appeals',
    'reports.col.onTime': 'On time',
    'reports.col.overdueNow': 'Overdue now',
    'reports.col.median': 'Median hours to done',
    'reports.col.reopen': 'Reopened',
    'reports.col.rating': 'Average rating',
    'reports.col.violations': 'Violations',
    'reports.none': '—',
    'reports.viol.title': 'Violations register',
    'reports.viol.org': 'Service',
    'reports.viol.kind': 'Kind of violation',
    'reports.viol.any': 'All',
    'reports.viol.csv': 'Download CSV',
    'reports.viol.caption': 'Violations, newest first',
    'reports.viol.total': 'Found: {total}. Showing {first}–{last}.',
    'reports.viol.empty': 'No violations match.',
    'reports.viol.prev': 'Previous',
    'reports.viol.next': 'Next',
    'reports.col.appeal': 'Appeal',
    'reports.col.kind': 'Violation',
    'reports.col.user': 'Responsible',
    'reports.col.at': 'When',
    'reports.col.note': 'Note',
    'reports.nobody': 'not assigned',
    'violation.reaction_missed': 'Not accepted in time',
    'violation.resolution_missed': 'Not resolved in time',
    'violation.reopened': 'Reopened',
    'violation.low_rating': 'Low rating',

    'emergency.title': 'Danger to life or health? Call now:',
    'emergency.101': 'Fire service',
    'emergency.102': 'Police',
    'emergency.103': 'Ambulance',
    'emergency.104': 'Gas emergency service',
    'emergency.call': 'Call {phone}',

    'hotline.title': 'Hotline',
    'hotline.text': 'Call the hotline and an operator will register the appeal for you.',
    'hotline.hours': 'Hours: {hours}',

    'home.title': 'Breakdowns and problems in the city — in one place',
    'home.lead': 'Report a problem with water, heating, power, an elevator, a road or garbage. The responsible service gets the appeal at once, the deadline is set automatically — and you can see whether it is met.',
    'home.cta': 'File an appeal',
    'home.steps.title': 'How it works',
    'home.steps.1': 'Choose a category, describe the problem and drop a pin on the map.',
    'home.steps.2': 'Get the appeal number and a private tracking link.',
    'home.steps.3': 'Follow the status and the deadlines: missed deadlines are recorded automatically.',
    'home.categories.title': 'Categories',
    'home.categories.hint': 'Choose a category to go straight to the form.',
    'track.box.title': 'Track my appeal',
    'track.box.label': 'Tracking link or code',
    'track.box.hint': 'Paste the link you received after filing the appeal.',
    'track.box.submit': 'Track',
    'track.box.empty': 'Paste your tracking link or code.',
    'track.box.invalid': 'This does not look like a tracking link. Copy it in full.',

    'appeal.title': 'File an appeal',
    'appeal.lead': 'Fields marked with an asterisk (*) are required. Your name, phone and email are never published.',
    'appeal.what': 'What happened',
    'appeal.where': 'Where',
    'appeal.who': 'Your contacts',
    'appeal.category': 'Category',
    'appeal.category.choose': '— Choose a category —',
    'appeal.type': 'Type of problem',
    'appeal.type.chooseCategory': 'Choose a category first.',
    'appeal.alert.title': 'Call {phone} now',
    'appeal.alert.call': 'Call {phone}',
    'appeal.alert.after': 'After the call you may also fill in this form.',
    'appeal.typeInfo': '{priority}: the service must take the appeal up {reaction} and resolve it {resolution}.',
    'appeal.typeLine': '{priority} · resolved {resolution}',
    'appeal.description': 'Description',
    'appeal.description.hint': 'What exactly happened, since when, whom it affects (entrance, building, street).',
    'appeal.counter': '{n} of {max} characters',
    'appeal.counterMin': '{n} of {max} characters · at least {left} more',
    'appeal.map': 'Pin on the map',
    'appeal.map.hint': 'Click or tap the map to drop a pin and drag it if needed. Or type the coordinates below.',
    'appeal.map.label': 'Map: click to drop a pin',
    'appeal.map.center': 'Drop the pin at the map centre',
    'appeal.map.locate': 'My location',
    'appeal.map.locateFailed': 'Could not determine your location.',
    'appeal.map.unavailable': 'The map is unavailable. Type the coordinates instead.',
    'appeal.map.offline': 'Map tiles did not load (no internet?). You can still drop a pin or type the coordinates.',
    'appeal.lat': 'Latitude',
    'appeal.lon': 'Longitude',
    'appeal.coords.hint': 'For example 48.4647 and 35.0462.',
    'appeal.address': 'Address or landmark',
    'appeal.address.hint': 'For example: 1 Dmytra Yavornytskoho Ave, entrance 2.',
    'address.hint': 'Start typing a street name: we suggest the current name even if you know the old one. Arrows ↑↓ and Enter to choose.',
    'address.count': '{n} suggestions. Arrows ↑↓ to browse, Enter to choose.',
    'address.none': 'No such address in the register; you can keep it as typed.',
    'address.chosen': 'Chosen: {label}.',
    'address.fromPin': 'Address filled from the pin: the nearest known address.',
    'appeal.name': 'Name',
    'appeal.phone': 'Phone',
    'appeal.phone.hint': 'A Ukrainian number, for example 067 123 45 67.',
    'appeal.email': 'Email',
    'appeal.email.hint': 'Optional.',
    'appeal.optional': '(optional)',
    'appeal.submit': 'Send the appeal',
    'appeal.submitting': 'Sending…',
    'appeal.summary': 'Please check these fields:',
    'appeal.failed': 'The appeal was not sent.',
    'appeal.retryNote': 'Trying again will not create a duplicate.',

    'v.required': 'Fill in this field.',
    'v.category': 'Choose a category.',
    'v.type': 'Choose the type of problem.',
    'v.tooShort': 'Too short: at least {min} characters.',
    'v.tooLong': 'Too long: at most {max} characters.',
    'v.control': 'The text contains invalid control characters.',
    'v.pin': 'Drop a pin on the map or type the coordinates.',
    'v.number': 'Type a number, for example 48.4647.',
    'v.bounds': 'The point is outside the city.',
    'v.phone': 'Type a Ukrainian number, for example 067 123 45 67 or +380 67 123 45 67.',
    'v.email': 'Type an email like name@example.com.',

    'field.category': 'Category',
    'field.type': 'Type of problem',
    'field.description': 'Description',
    'field.lat': 'Latitude',
    'field.lon': 'Longitude',
    'field.address': 'Address',
    'field.name': 'Name',
    'field.phone': 'Phone',
    'field.email': 'Email',

    'done.title': 'Your appeal is registered',
    'done.number': 'Appeal number',
    'done.status': 'Status',
    'done.what': 'Category',
    'done.org': 'Responsible service',
    'done.reaction': 'To be accepted by',
    'done.resolution': 'To be resolved by',
    'done.kyivTime': 'Kyiv time.',
    'done.link': 'Private tracking link',
    'done.copy': 'Copy the link',
    'done.copied': 'Link copied.',
    'done.copyFailed': 'Could not copy — select the link and copy it by hand.',
    'done.warning': 'Keep this link and do not share it: it shows the description and the address of your appeal. It cannot be recovered.',
    'done.open': 'Open the appeal page',
    'done.another': 'File another appeal',

    'track.title': 'My appeal',
    'track.notFound.title': 'Appeal not found',
    'track.notFound.text': 'There is no appeal for this link. Check that you copied the whole link.',
    'track.noToken': 'Paste the private link you received after filing your appeal.',
    'track.number': 'Appeal No. {number}',
    'track.numberLabel': 'Appeal No.',
    'track.status': 'Status',
    'track.category': 'Category',
    'track.type': 'Type',
    'track.priority': 'Priority',
    'track.org': 'Responsible service',
    'track.created': 'Registered',
    'track.deadlines': 'Deadlines',
    'track.reaction': 'Accept',
    'track.resolution': 'Resolve',
    'track.due': 'by {time}',
    'track.left': '{left} left',
    'track.overdue': 'overdue',
    'track.overdueBy': 'overdue by {left}',
    'track.description': 'Description',
    'track.address': 'Address',
    'track.noAddress': 'not given',
    'track.location': 'Place on the map',
    'track.timeline': 'History',
    'track.private': 'This page is private: do not share its link.',
    'track.refresh': 'Refresh',
    'track.updated': 'Updated at {time}',

    'priority.emergency': 'Emergency',
    'priority.urgent': 'Urgent',
    'priority.normal': 'Normal',

    'status.new': 'New',
    'status.registered': 'Registered',
    'status.assigned': 'Assigned to a service',
    'status.in_progress': 'In progress',
    'status.done': 'Done, awaiting confirmation',
    'status.closed': 'Closed',
    'status.rejected': 'Not subject to consideration',
    'status.forwarded': 'Forwarded to the competent body',
    'status.duplicate': 'Merged with another appeal',
    'track.merged.title': 'Your appeal was merged into appeal No. {number}',
    'track.merged.intro': 'This problem was already reported and the service works on that appeal. Its state and progress are shown here.',
    'track.merged.due': 'to be resolved by {time}',
    'status.reopened': 'Sent back for rework',

    'event.registered': 'Appeal registered',
    'event.reaction_overdue': 'Reaction deadline missed',
    'event.resolution_overdue': 'Resolution deadline missed',
    'event.assigned': 'Assigned to a service',
    'event.in_progress': 'The service took the appeal up',
    'event.done': 'The service reported it done',
    'event.closed': 'Appeal closed',
    'event.reopened': 'Sent back for rework',
    'event.rejected': 'Not subject to consideration',
    'event.forwarded': 'Forwarded to the competent body',
    'event.duplicate': 'Merged with another appeal',
    'event.extended': 'Deadline extended',
    'event.accepted': 'The service accepted the appeal',
    'event.started': 'Work started',
    'event.merged': 'Merged with another appeal about the same problem',
    'event.extension_approved': 'Deadline extended',
    'event.confirmed': 'The applicant confirmed it done',
    'event.disputed': 'The applicant disputed the result',
    'event.rated': 'The applicant rated the work',
    'event.commented': 'The applicant added a comment',
    'event.autoclosed': 'Closed automatically: no answer from the applicant in time',
    'event.unknown': 'Appeal updated',
    'event.status': 'status: {status}',

    'unit.hour': ['hour', 'hours'],
    'unit.day': ['day', 'days'],
    'unit.month': ['month', 'months'],
    'within': 'within {n} {unit}',
    'dur.d': '{n} d',
    'dur.h': '{n} h',
    'dur.m': '{n} min',
    'dur.s': '{n} s',

    'footer.text': 'Kontakt is open-source software for city contact centers.',
    'footer.emergency': 'Emergency services: 101 · 102 · 103 · 104',

    'track.district': 'District',
    'done.district': 'District',
    'district.none': 'outside the city districts',
    'map.title': 'Map of appeals',
    'map.intro': 'Residents’ public appeals: colour is the status, the icon the category. No personal data.',
    'map.filters': 'Filters',
    'map.category': 'Categories',
    'map.categoryHint': 'None selected means all. Ctrl/⌘ for several.',
    'map.status': 'Statuses',
    'map.from': 'From',
    'map.to': 'To',
    'map.district': 'District',
    'map.allDistricts': 'All districts',
    'map.reset': 'Reset filters',
    'map.noTiles': 'The base map is unavailable (no connection to the tile server); appeals are shown without it.',
    'map.legend': 'Legend',
    'map.listTitle': 'In view',
    'map.close': 'Close',
    'map.follow': 'Me too — follow this appeal',
    'map.followHint': 'You will get updates on this appeal; it shows in your cabinet under “I follow too”.',
    'map.followSignin': 'Facing the same problem? Sign in to your cabinet to follow this appeal.',
    'map.followSigninLink': 'Sign in to my cabinet',
    'map.followed': 'You follow appeal No. {number}.',
    'map.alreadyFollowed': 'You already follow appeal No. {number}.',
    'map.followCabinet': 'My subscriptions in the cabinet',
    'map.summary': 'Appeals in view: {n}',
    'map.summaryClusters': 'Appeals in view: {n}. Zoom in or pick a group to see single appeals.',
    'map.truncated': 'Showing the first {n}; zoom in.',
    'map.clusterLabel': 'Group: {n} appeals — zoom in',
    'track.showOnMap': 'Show on the map',
  },
};

function fromQuery() {
  try {
    const q = new URLSearchParams(location.search).get('lang');
    return LANGS.includes(q) ? q : null;
  } catch { return null; }
}

function fromStore() {
  try {
    const s = localStorage.getItem(STORE_KEY);
    return LANGS.includes(s) ? s : null;
  } catch { return null; }
}

function save(l) {
  try { localStorage.setItem(STORE_KEY, l); } catch { /* private mode: fine */ }
}

let current = fromQuery() || fromStore() || 'uk';
if (fromQuery()) save(current); // an explicit ?lang= is a choice too
const listeners = [];

export function lang() { return current; }

// Locale for Intl: Ukrainian, or British English (day-month order, 24 h).
export function locale() { return current === 'uk' ? 'uk-UA' : 'en-GB'; }

export function t(key, vars) {
  let s = DICT[current][key];
  if (s === undefined) s = DICT.uk[key];
  if (s === undefined) return key;
  if (vars && typeof s === 'string') {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  }
  return s;
}

export function has(key) { return DICT[current][key] !== undefined; }

// The name of an API object ({name_uk, name_en}) in the current language.
export function nameOf(o) {
  if (!o) return '';
  return o['name_' + current] || o.name_uk || o.name_en || o.code || '';
}

// The localised field of an API object: field(o, 'hint') → o.hint_uk / o.hint_en.
export function field(o, base) {
  if (!o) return null;
  return o[base + '_' + current] || o[base + '_uk'] || null;
}

// Noun form after a number in the genitive ("протягом 3 днів", "within 3 days").
export function unit(key, n) {
  const forms = DICT[current][key];
  const one = new Intl.PluralRules(current === 'uk' ? 'uk' : 'en').select(n) === 'one';
  return one ? forms[0] : forms[1];
}

export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  save(l);
  // Keep an explicit ?lang= in the address in step with the choice.
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', l);
    history.replaceState(history.state, '', url);
  }
  applyI18n();
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) { listeners.push(fn); }

// A page's own words ({uk: {...}, en: {...}}), merged into the dictionaries
// before the page first calls applyI18n() (web/js/cabinet-text.js).
export function addWords(words) {
  for (const l of LANGS) Object.assign(DICT[l], words[l] || {});
}
