"""A labelled set of C+R requests for measuring how well the topic vocabulary finds a request's areas.

Each case is a request as a colleague of one partner city might write it to colleagues elsewhere –
short or long, some with typos, compounds or vague wording – with the topic areas that are right for it,
the best first. The cases were written from the requests' side, not from the vocabulary, and must stay
independent of it: when a case is not found, improve the vocabulary (demo_data.TOPICS), never the case.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RoutingCase:
    title: str
    need: str
    requester_city: str  # slug of demo_data.CITIES
    topics: tuple[str, ...]  # slugs of demo_data.TOPICS, the best first


CASES = [
    # --- housing ---------------------------------------------------------------------------------
    RoutingCase(
        "Bündnis für Wohnen neu aufstellen",
        "Unser Bündnis mit Wohnungsunternehmen, Genossenschaften und Mieterverein ist eingeschlafen. "
        "Die Stadtspitze möchte es bis Jahresende neu beleben und mit verbindlichen Zielen für den Neubau "
        "preisgebundener Wohnungen versehen. Wir fragen uns, wie andere Städte die Vereinbarung "
        "formuliert haben und wie sie nachhalten, ob die Partner ihre Zusagen einhalten. Gibt es ein "
        "Monitoring, das öffentlich berichtet wird? Wie oft tagt das Bündnis, und wer bereitet vor? "
        "Wir würden gern einen halben Tag mit Ihnen über Ihre Erfahrungen sprechen.",
        "leipzig",
        ("wohnen",),
    ),
    RoutingCase(
        "Auslaufende Belegungsbindungen",
        "Wie verlängern andere Städte auslaufende Belegungsbindungen bei geförderten Wohnungen?",
        "nuernberg",
        ("wohnen",),
    ),
    RoutingCase(
        "Konzeptvergabe städtischer Grundstücke",
        "Wir wollen städtische Grundstücke künftig nicht mehr zum Höchstpreis verkaufen, sondern im "
        "Erbbaurecht nach dem besten Konzept vergeben, vor allem an Baugemeinschaften und kleine "
        "Genossenschaften. Offen ist, wie die Bewertungskriterien gewichtet werden und wie man "
        "Mietpreisbindungen im Vertrag sichert. Auch die Jury-Besetzung ist bei uns umstritten. "
        "Leipzig und Nürnberg haben dazu Erfahrung – können wir uns austauschen? "
        "Ideal wären eure Ausschreibungsunterlagen und ein Gespräch mit jemandem aus der letzten Jury.",
        "bremen",
        ("wohnen", "stadtplanung"),
    ),
    RoutingCase(
        "Soziale Erhaltungsverordnung",
        "Wir prüfen eine Milieuschutzsatzung für zwei Gründerzeitviertel und suchen Erfahrungen mit den "
        "Voruntersuchungen.",
        "leipzig",
        ("wohnen", "stadtplanung"),
    ),
    RoutingCase(
        "Zweckentfremdung durch Ferienwohungen",
        "In der Altstadt werden immer mehr Mietwohungen als Ferienapartments vermietet. Wie setzt ihr das "
        "Zweckentfremdungsverbot durch?",
        "nuernberg",
        ("wohnen",),
    ),
    RoutingCase(
        "Mehr günstige Wohnungen",
        "Wir wollen mehr günstige Wohnungen schaffen, wissen aber nicht recht, wo wir anfangen sollen. "
        "Wer hat Tipps?",
        "bremen",
        ("wohnen",),
    ),
    RoutingCase(
        "Qualifizierter Mietspiegel",
        "Unser Mietspiegel muss neu erstellt werden, diesmal qualifiziert. Wie habt ihr die Datenerhebung "
        "und die Abstimmung mit Vermieter- und Mieterverbänden organisiert?",
        "nuernberg",
        ("wohnen",),
    ),
    RoutingCase(
        "Seniorengerechtes Wohnen im Bestand",
        "In unseren Großsiedlungen der 1960er Jahre werden die Mieterinnen und Mieter älter, die "
        "Wohnungen sind aber nicht barrierearm. Die Wohnungsbaugesellschaft ist bereit umzubauen, "
        "fürchtet aber steigende Mieten. Wir suchen Beispiele, wie Aufzüge nachgerüstet, Bäder "
        "umgebaut und Wohnungstausch organisiert wurden. Besonders interessiert uns, wie Pflegedienste "
        "und Nachbarschaftshilfe eingebunden wurden. Ein Besuch vor Ort wäre ideal.",
        "bremen",
        ("wohnen", "soziales"),
    ),
    RoutingCase(
        "Quote für geförderten Wohnungsbau",
        "Wie setzt ihr die 30-Prozent-Quote für mietpreisgebundenen Wohnungsbau in neuen Bebauungsplänen "
        "durch?",
        "leipzig",
        ("wohnen", "stadtplanung"),
    ),
    RoutingCase(
        "Großwohnsiedlung zwischen Leerstand und Zuzug",
        "In unserer Plattenbausiedlung am Stadtrand wurde vor zwanzig Jahren zurückgebaut, jetzt steigt "
        "die Nachfrage wieder. Wir überlegen Aufstockungen und Nachverdichtung statt weiteren Abriss.",
        "leipzig",
        ("wohnen", "stadtplanung"),
    ),
    # --- mobility --------------------------------------------------------------------------------
    RoutingCase(
        "Radschnellverbindung in die Region",
        "Gemeinsam mit drei Nachbarkommunen planen wir eine Radschnellverbindung von rund 25 Kilometern. "
        "Die Machbarkeitsstudie liegt vor, jetzt geht es um Trassenwahl, Baulastträgerschaft und "
        "Förderung durch Bund und Land. Strittig sind Abschnitte entlang von Wirtschaftswegen und die "
        "Beleuchtung. Wir würden gern von Städten lernen, die schon eine Verbindung gebaut haben, "
        "insbesondere zur Kostenteilung und zur Vereinbarung mit den Nachbargemeinden. Eine Befahrung "
        "eurer Strecke mit den Planern würde uns sehr helfen.",
        "nuernberg",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Parkraumbewirtschaftung in Gründerzeitvierteln",
        "Wir wollen Anwohnerparken auf weitere Viertel ausdehnen und die Gebühren anheben. Wie war die "
        "Akzeptanz bei euch?",
        "leipzig",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Mobilpunkte an Endhaltestellen",
        "Wir möchten an den Endhaltestellen der Straßenbahn Leihräder, Carsharing und Lastenräder "
        "bündeln. Wer betreibt so etwas, und wie wird es finanziert?",
        "bremen",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Elterntaxis vor Grundschulen",
        "Morgens ist vor unseren Grundschulen Chaos: Elterntaxis halten in zweiter Reihe, Kinder laufen "
        "zwischen Autos. Wir denken an Schulstraßen mit zeitweiser Sperrung und Hol- und Bringzonen. "
        "Welche rechtlichen Grundlagen habt ihr genutzt, und wie habt ihr Schulleitungen und Eltern "
        "mitgenommen? Gab es Ärger mit Anwohnern? Wir würden gern im Frühjahr eine solche Straße "
        "besuchen.",
        "nuernberg",
        ("mobilitaet", "bildung"),
    ),
    RoutingCase(
        "Kiezblocks gegen Durchgangsverkehr",
        "Anwohnerinitiativen fordern Kiezblocks mit Diagonalsperren gegen den Schleichverkehr. Wie habt "
        "ihr solche verkehrsberuhigten Quartiere umgesetzt?",
        "leipzig",
        ("mobilitaet", "stadtplanung"),
    ),
    RoutingCase(
        "Lastenradförderung",
        "Lohnt sich ein kommunales Förderprogramm für Lastenräder, oder kaufen das ohnehin nur die, die "
        "es sich leisten können?",
        "bremen",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Tempo 30 auf Hauptstraßen",
        "Wir möchten auf mehreren Hauptverkehrsstraßen Tempo 30 anordnen, auch wegen Lärmaktionsplan. "
        "Wie habt ihr das mit der Straßenverkehrsbehörde begründet?",
        "nuernberg",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Autos auf den Gehwegen",
        "Bei uns stehen die Autos überall auf den Gehwegen, Kinderwagen und Rollstühle kommen nicht "
        "durch. Wie geht ihr damit um?",
        "leipzig",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Nahverkehrsplan fortschreiben",
        "Der Nahverkehrsplan läuft 2027 aus und wir beginnen mit der Fortschreibung. Wir möchten diesmal "
        "Taktverdichtungen auf den Buslinien, On-Demand-Angebote in den Randlagen und die Anbindung neuer "
        "Wohngebiete besser verzahnen. Unklar ist, wie man die Bestellerrolle gegenüber dem "
        "Verkehrsunternehmen stärkt und welche Kennzahlen man festlegt. Auch die Finanzierung nach dem "
        "Deutschlandticket bereitet Sorgen. Wir suchen jemanden, der so einen Plan kürzlich "
        "verabschiedet hat.",
        "bremen",
        ("mobilitaet",),
    ),
    RoutingCase(
        "Barrierefreie Bushaltestellen",
        "Bis wann schafft ihr den barrierefreien Ausbau aller Haltestellen, und wie priorisiert ihr?",
        "leipzig",
        ("mobilitaet", "soziales"),
    ),
    RoutingCase(
        "Mobilitätsmanagment für die eigene Verwaltung",
        "Wir wollen Dienstfahrten und Pendelwege der Beschäftigten klimafreundlicher machen: Jobrad, "
        "Jobticket, Dienstfahrräder, weniger Dienstwagen. Wer hat ein betriebliches "
        "Mobilitätskonzept für die Stadtverwaltung?",
        "nuernberg",
        ("mobilitaet", "energie-klima"),
    ),
    # --- education -------------------------------------------------------------------------------
    RoutingCase(
        "Schulsanierung im laufenden Betrieb",
        "Wir müssen in den nächsten zehn Jahren über vierzig Schulgebäude sanieren, viele davon ohne "
        "Ausweichquartier. Bei den ersten Baustellen gab es Beschwerden über Lärm und Staub während des "
        "Unterrichts. Wie plant ihr Bauabschnitte, Interimsstandorte und die Abstimmung mit den "
        "Schulleitungen? Habt ihr eine eigene Schulbaugesellschaft oder arbeitet ihr mit dem "
        "Hochbauamt? Uns interessiert auch, wie ihr die Prioritätenliste begründet. "
        "Ein Werkstattgespräch mit euren Projektleitungen wäre sehr hilfreich.",
        "leipzig",
        ("bildung",),
    ),
    RoutingCase(
        "Rechtsanspruch auf Ganztagsbetreuung",
        "Ab 2026 gilt der Rechtsanspruch auf Ganztagsbetreuung in der Grundschule. Wie habt ihr Räume, "
        "Personal und Kooperationen mit Horten und Trägern geplant?",
        "nuernberg",
        ("bildung",),
    ),
    RoutingCase(
        "Modulbauten für Schulen",
        "Lohnen sich modulare Schulgebäude gegenüber Containern? Wir brauchen schnell zusätzliche "
        "Klassenräume.",
        "bremen",
        ("bildung",),
    ),
    RoutingCase(
        "Kommunales Bildungsmonitoring",
        "Wir wollen einen Bildungsbericht für die Stadt aufbauen, mit Daten von der Kita bis zur "
        "Weiterbildung. Welche Indikatoren nutzt ihr, und wer liefert die Daten?",
        "leipzig",
        ("bildung",),
    ),
    RoutingCase(
        "Schulnetzplanug bei steigenden Schülerzahlen",
        "Die Schülerzahlen steigen in einigen Stadtteilen stark. Wir müssen Schuleinzugsbereiche neu "
        "zuschneiden und Standorte für neue Grundschulen finden. Wie geht ihr bei der Prognose vor?",
        "bremen",
        ("bildung",),
    ),
    RoutingCase(
        "Kitaplätze online vergeben",
        "Eltern melden ihre Kinder bei uns noch bei jeder Kita einzeln an. Wir wollen ein zentrales "
        "Online-Anmeldeverfahren für Betreuungsplätze einführen. Welche Software nutzt ihr, wie "
        "funktioniert die Vergabe, und wie habt ihr die freien Träger ins Boot geholt?",
        "nuernberg",
        ("bildung", "digitalisierung"),
    ),
    RoutingCase(
        "Schulhöfe fürs Quartier öffnen",
        "Nachmittags und am Wochenende sind unsere Schulhöfe verschlossen, obwohl im Viertel Spielflächen "
        "fehlen. Wie regelt ihr Aufsicht, Haftung und Reinigung bei geöffneten Schulhöfen?",
        "leipzig",
        ("bildung", "stadtplanung"),
    ),
    RoutingCase(
        "Digitalpakt Schule",
        "Wir statten die Schulen mit WLAN, digitalen Tafeln und Tablets aus. Die Geräte sind da, aber "
        "Wartung und Support fehlen. Wie habt ihr den IT-Support für Schulen organisiert, zentral oder "
        "je Schule? Und wie finanziert ihr den Ersatz nach fünf Jahren? Ein kurzer Videotermin mit "
        "eurem Team wäre ein guter Anfang.",
        "bremen",
        ("bildung", "digitalisierung"),
    ),
    RoutingCase(
        "Übergang Schule – Beruf",
        "Zu viele Jugendliche verlassen die Mittelschule ohne Anschluss. Wir denken an eine "
        "Jugendberufsagentur mit Arbeitsagentur und Jobcenter unter einem Dach und an bessere "
        "Berufsorientierung ab Klasse 7. Welche Erfahrungen habt ihr gemacht?",
        "nuernberg",
        ("bildung", "wirtschaft"),
    ),
    RoutingCase(
        "Bessere Lernorte im Stadtteil",
        "Unsere Kinder brauchen bessere Orte zum Lernen im Stadtteil – wie habt ihr das hinbekommen?",
        "bremen",
        ("bildung",),
    ),
    RoutingCase(
        "Schulbegleitung und inklusive Schule",
        "Die Kosten für Schulbegleitungen steigen jedes Jahr. Wir überlegen Pool-Lösungen, bei denen "
        "Integrationshelfer einer Schule zugeordnet sind statt einem Kind. Habt ihr das ausprobiert?",
        "leipzig",
        ("bildung", "soziales"),
    ),
    # --- energy and climate ----------------------------------------------------------------------
    RoutingCase(
        "Kommunale Wärmeplanung: Eignungsgebiete",
        "Unser Wärmeplan muss bis Mitte 2026 stehen. Die Bestands- und Potenzialanalyse ist fertig, jetzt "
        "geht es um die Einteilung in Gebiete für Fernwärme, Wärmenetze und dezentrale Wärmepumpen. "
        "Die Stadtwerke haben andere Vorstellungen als wir, und die Eigentümer fragen, was das für ihre "
        "Heizung bedeutet. Wie habt ihr die Eignungsgebiete festgelegt und kommuniziert? Wie verbindlich "
        "ist euer Plan? Wir würden gern mit eurem Projektteam sprechen.",
        "leipzig",
        ("energie-klima",),
    ),
    RoutingCase(
        "Hitzeaktionsplan",
        "Wir erarbeiten einen Hitzeaktionsplan und suchen Erfahrungen mit Hitzewarnungen und kühlen Orten.",
        "nuernberg",
        ("energie-klima",),
    ),
    RoutingCase(
        "Schwammstadt im Bestand",
        "Bei Starkregen laufen bei uns regelmäßig Keller voll. Wir wollen beim Straßenumbau Regenwasser "
        "vor Ort versickern lassen, mit Baumrigolen und Mulden. Die Entwässerungsbetriebe sind skeptisch "
        "wegen der Unterhaltung. Wie habt ihr die Zuständigkeiten zwischen Grünflächenamt, Tiefbau und "
        "Stadtentwässerung geregelt? Uns interessieren auch die Kosten pro Meter Straße im Vergleich "
        "zum klassischen Kanal.",
        "bremen",
        ("energie-klima", "stadtplanung"),
    ),
    RoutingCase(
        "Photovoltaik auf städtischen Dächern",
        "Wir wollen alle geeigneten Dächer städtischer Gebäude mit PV-Anlagen belegen. Macht ihr das "
        "selbst, über die Stadtwerke oder mit Bürgerenergiegenossenschaften?",
        "leipzig",
        ("energie-klima",),
    ),
    RoutingCase(
        "Klimaneutrale Verwaltung",
        "Der Stadtrat hat beschlossen, dass die Verwaltung bis 2035 klimaneutral wird. Wir stehen bei "
        "der Treibhausgasbilanz noch am Anfang: Welche Emissionen zählt ihr, wie erhebt ihr die "
        "Verbräuche der Liegenschaften, und wie kompensiert ihr den Rest? Wir suchen außerdem ein "
        "Modell, wie die Fachämter eigene CO2-Budgets bekommen. Gibt es einen jährlichen Bericht an den "
        "Rat, und wer schreibt ihn? Wir würden gern eure Methodik in einem Online-Termin kennenlernen.",
        "nuernberg",
        ("energie-klima",),
    ),
    RoutingCase(
        "Fassadenbegrünung förden",
        "Wir möchten ein Förderprogramm für Fassaden- und Dachbegrünung auflegen. Wie hoch sind eure "
        "Zuschüsse?",
        "bremen",
        ("energie-klima",),
    ),
    RoutingCase(
        "Starkregengefahrenkarte veröffentlichen",
        "Sollen wir die Starkregenkarten öffentlich machen? Die Wohnungswirtschaft fürchtet um den Wert "
        "der Immobilien.",
        "leipzig",
        ("energie-klima",),
    ),
    RoutingCase(
        "Sanierungsmanagement im Quartier",
        "Wir haben für ein Wohnquartier aus den 1950er Jahren ein energetisches Quartierskonzept nach KfW "
        "432 und wollen jetzt ein Sanierungsmanagement einsetzen. Wie erreicht ihr private "
        "Einzeleigentümer, damit sie dämmen und die Heizung tauschen?",
        "nuernberg",
        ("energie-klima", "stadtplanung"),
    ),
    RoutingCase(
        "Unerträgliche Sommer in den Innenhöfen",
        "Im Sommer wird es in unseren dicht bebauten Innenhöfen unerträglich. Was hilft wirklich?",
        "bremen",
        ("energie-klima",),
    ),
    RoutingCase(
        "Klimabeirat mit Bürgerinnen und Bürgern",
        "Wir wollen einen Klimabeirat einrichten, in dem Wissenschaft, Verbände und gelost ausgewählte "
        "Bürger den Klimaschutzplan begleiten. Wie verbindlich sind bei euch die Empfehlungen?",
        "leipzig",
        ("energie-klima", "beteiligung"),
    ),
    RoutingCase(
        "Stadtbäume in der Trockenheit",
        "Die letzten Dürresommer haben viele Straßenbäume geschädigt. Welche Baumarten pflanzt ihr "
        "inzwischen, und wie organisiert ihr das Gießen – mit Baumpatenschaften?",
        "nuernberg",
        ("energie-klima", "stadtplanung"),
    ),
    # --- urban planning --------------------------------------------------------------------------
    RoutingCase(
        "Rahmenplan für ein ehemaliges Bahngelände",
        "Mitten in der Stadt wird ein 30 Hektar großes Güterbahnhofsgelände frei. Wir erarbeiten einen "
        "städtebaulichen Rahmenplan mit Wohnen, Gewerbe, Schule und einem großen Park. Die Deutsche Bahn "
        "als Eigentümerin möchte schnell verkaufen, wir wollen die Entwicklung steuern. Wie habt ihr "
        "mit einem privaten Eigentümer einen städtebaulichen Vertrag ausgehandelt? Wie habt ihr die "
        "Altlasten und den Lärmschutz an den verbleibenden Gleisen gelöst? Wir suchen eine Exkursion mit "
        "Gesprächen vor Ort.",
        "leipzig",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Baulückenkataster",
        "Wir wollen ein Baulückenkataster für die Innenentwicklung aufbauen. Wie pflegt ihr eures?",
        "nuernberg",
        ("stadtplanung",),
    ),
    RoutingCase(
        "INSEK fortschreiben",
        "Unser integriertes Stadtentwicklungskonzept ist zehn Jahre alt. Wie habt ihr die Fortschreibung "
        "mit den Fachämtern und der Öffentlichkeit organisiert, und wie viel Zeit habt ihr gebraucht?",
        "bremen",
        ("stadtplanung", "beteiligung"),
    ),
    RoutingCase(
        "Vorkaufsrecht im Sanierungsgebiet",
        "Nach dem Urteil des Bundesverwaltungsgerichts ist unser Vorkaufsrecht stark eingeschränkt. Wie "
        "nutzt ihr es in Sanierungsgebieten noch?",
        "leipzig",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Wettbewerb für eine Konversionsfläche",
        "Für eine ehemalige Kaserne bereiten wir einen städtebaulichen Wettbewerb vor. Offen sind "
        "Verfahrensart, Preisgericht und wie die Ergebnisse in den Bebauungsplan kommen. Wer hat "
        "kürzlich ein solches Verfahren betreut?",
        "nuernberg",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Programm Sozialer Zusammenhalt",
        "Wir wollen zwei Stadtteile in das Bund-Länder-Programm Sozialer Zusammenhalt aufnehmen lassen. "
        "Wie habt ihr die Gebietsabgrenzung und das integrierte Handlungskonzept erarbeitet?",
        "bremen",
        ("stadtplanung", "soziales"),
    ),
    RoutingCase(
        "Bebaungsplan der Innenentwicklung",
        "Wann nutzt ihr das beschleunigte Verfahren nach § 13a BauGB, und wie sichert ihr trotzdem "
        "Grünflächen?",
        "leipzig",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Ein großes Areal am Stadtrand",
        "Ein großes Areal am Stadtrand wird frei. Wie geht man so etwas an, damit es ein lebendiges "
        "Viertel wird und keine Schlafstadt?",
        "nuernberg",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Gestaltungssatzung für die Altstadt",
        "Unsere Gestaltungssatzung für die historische Altstadt ist von 1987. Werbeanlagen, Solaranlagen "
        "und Außengastronomie sind kaum geregelt. Wie habt ihr eure Satzung überarbeitet und mit dem "
        "Denkmalschutz abgestimmt?",
        "bremen",
        ("stadtplanung",),
    ),
    RoutingCase(
        "Urbane Gebiete und Nutzungsmischung",
        "Wir wollen in einem ehemaligen Gewerbegebiet Wohnen und Arbeiten mischen und prüfen das "
        "Urbane Gebiet nach BauNVO. Welche Konflikte mit Lärm und Betrieben hattet ihr?",
        "leipzig",
        ("stadtplanung", "wirtschaft"),
    ),
    RoutingCase(
        "Grünes Netz und Freiraumkonzept",
        "Wir erarbeiten ein gesamtstädtisches Freiraumkonzept, das Parks, Grünzüge und Kleingärten "
        "verbindet. Wie habt ihr Flächen gegen den Siedlungsdruck gesichert? Und wie sieht bei euch die "
        "Abstimmung mit der Bauleitplanung aus?",
        "nuernberg",
        ("stadtplanung", "energie-klima"),
    ),
    # --- participation ---------------------------------------------------------------------------
    RoutingCase(
        "Bürgerrat mit gelosten Teilnehmenden",
        "Der Oberbürgermeister möchte einen Bürgerrat zur Zukunft der Innenstadt einberufen, mit per "
        "Los ausgewählten Einwohnerinnen und Einwohnern. Wir haben keine Erfahrung mit Losverfahren, "
        "Moderation über mehrere Wochenenden und dem Umgang mit den Empfehlungen. Wie habt ihr die "
        "Zusammensetzung gesichert, und wie habt ihr dem Stadtrat die Ergebnisse vorgelegt? "
        "Welche Kosten sind entstanden? Wir würden gern eure Prozessbegleitung kennenlernen.",
        "leipzig",
        ("beteiligung",),
    ),
    RoutingCase(
        "Kinder planen ihren Spielplatz",
        "Wir wollen Kinder und Jugendliche an der Planung von Spielplätzen und Jugendflächen beteiligen. "
        "Welche Methoden funktionieren bei Zehnjährigen?",
        "nuernberg",
        ("beteiligung",),
    ),
    RoutingCase(
        "Vorhabenliste und Leitlinien",
        "Wir sollen Leitlinien für die Beteiligung der Bürgerschaft erarbeiten, einschließlich einer "
        "Vorhabenliste. Wie verbindlich sind eure, und wer entscheidet, wann beteiligt wird?",
        "bremen",
        ("beteiligung",),
    ),
    RoutingCase(
        "Aufsuchende Beteiligung",
        "In benachteiligten Stadtteilen erreichen wir mit Abendveranstaltungen kaum jemanden. Wir wollen "
        "aufsuchend arbeiten: an Haustüren, auf dem Wochenmarkt, vor der Schule, mit Sprachmittlern. "
        "Wie viel Personal braucht das, und wie dokumentiert ihr die Ergebnisse so, dass sie in die "
        "Planung einfließen? Habt ihr mit Trägern vor Ort zusammengearbeitet, die das Vertrauen der "
        "Menschen schon haben? Wir sind für jeden Hinweis dankbar.",
        "leipzig",
        ("beteiligung", "soziales"),
    ),
    RoutingCase(
        "Plattform für Online-Beteiligung",
        "Wir suchen eine Plattform für Online-Beteiligung, am liebsten Open Source wie Decidim oder "
        "Consul. Welche nutzt ihr, und wer betreibt sie?",
        "nuernberg",
        ("beteiligung", "digitalisierung"),
    ),
    RoutingCase(
        "Beteilgung bei Bauvorhaben früh starten",
        "Bei großen Bauvorhaben gibt es oft erst Protest, wenn die Pläne fertig sind. Wie bringt ihr "
        "Investoren dazu, die Nachbarschaft früh einzubinden?",
        "bremen",
        ("beteiligung", "stadtplanung"),
    ),
    RoutingCase(
        "Bürgerhaushalt",
        "Lohnt sich ein Bürgerhaushalt noch? Bei uns ist die Teilnahme von Jahr zu Jahr gesunken.",
        "leipzig",
        ("beteiligung",),
    ),
    RoutingCase(
        "Immer dieselben Leute",
        "Zu unseren Veranstaltungen kommen immer dieselben Leute. Wie erreichen wir die anderen?",
        "nuernberg",
        ("beteiligung",),
    ),
    RoutingCase(
        "Planungswerkstatt über drei Tage",
        "Für die Neugestaltung eines Platzes wollen wir eine mehrtägige Planungswerkstatt mit offenem "
        "Atelier veranstalten, in dem Planer, Anwohner und Gewerbetreibende gemeinsam Entwürfe "
        "entwickeln. Wie habt ihr so ein Format vorbereitet und wie viele kamen?",
        "bremen",
        ("beteiligung", "stadtplanung"),
    ),
    RoutingCase(
        "Verfügungsfonds mit Bewohnerjury",
        "Im Quartier soll ein Verfügungsfonds kleine Projekte der Nachbarschaft fördern, über die eine "
        "Jury aus Bewohnern entscheidet. Wie habt ihr die Vergaberegeln gestaltet?",
        "leipzig",
        ("beteiligung", "soziales"),
    ),
    RoutingCase(
        "Mehrsprachig beteiligen",
        "Ein Drittel der Bewohner im Gebiet spricht kaum Deutsch. Wie gestaltet ihr Informationen und "
        "Veranstaltungen mehrsprachig, damit auch sie mitreden können?",
        "nuernberg",
        ("beteiligung", "soziales"),
    ),
    # --- economy ---------------------------------------------------------------------------------
    RoutingCase(
        "Leere Ladenlokale in der City",
        "In unserer Fußgängerzone stehen nach dem Weggang zweier Kaufhäuser viele Läden leer. Wir "
        "überlegen, Ladenlokale anzumieten und günstig an Pop-up-Stores und junge Händler "
        "weiterzugeben. Wie hoch war bei euch der Zuschuss, und wie habt ihr die Eigentümer überzeugt? "
        "Gab es ein Citymanagement, das das koordiniert? Welche Läden sind nach Ende der Förderung "
        "geblieben?",
        "leipzig",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Gewerbeflächenentwicklungskonzept",
        "Uns gehen die Gewerbeflächen aus. Wie habt ihr euer Gewerbeflächenkonzept erarbeitet und "
        "Flächen für Betriebserweiterungen reserviert?",
        "nuernberg",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Welcome Center für Fachkräfte",
        "Unternehmen finden kaum Fachkräfte. Wir überlegen ein Welcome Center, das internationale "
        "Fachkräfte bei Anerkennung, Wohnungssuche und Behördengängen unterstützt. Wer finanziert das "
        "bei euch, und wie arbeitet ihr mit der Ausländerbehörde und der Handelskammer zusammen? "
        "Wie viele Menschen nutzen das Angebot im Jahr? Und wie habt ihr die Mitarbeitenden "
        "geschult, die Beratung auf Englisch leisten?",
        "bremen",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Gründerzentrum und Startups",
        "Wir wollen ein Gründerzentrum für Startups aus der Hochschule eröffnen. Betreibt ihr das selbst?",
        "leipzig",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Business Improvement District",
        "Eigentümer in einer Einkaufsstraße wollen sich zu einer Standortgemeinschaft zusammenschließen "
        "und gemeinsam in Beleuchtung, Reinigung und Marketing investieren. In Bayern gibt es kein "
        "BID-Gesetz. Wie habt ihr das freiwillig organisiert? Wer hat den ersten Anstoß gegeben, und "
        "wie geht ihr mit Eigentümern um, die nicht mitzahlen wollen? Gibt es eine "
        "Vereinbarung mit der Stadt über Sondernutzungen?",
        "nuernberg",
        ("wirtschaft", "stadtplanung"),
    ),
    RoutingCase(
        "Wochenmärkte beleben",
        "Unsere Wochenmärkte verlieren Beschicker und Kundschaft. Wie habt ihr eure Märkte attraktiver "
        "gemacht?",
        "bremen",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Ansiedlung von Indutrie auf Brachflächen",
        "Wir haben mehrere Industriebrachen mit Altlasten und wollen sie für neue Betriebe aufbereiten. "
        "Ein Investor aus der Batteriebranche zeigt Interesse. Wie habt ihr Flächenrecycling finanziert "
        "und wie schnell konntet ihr Baurecht schaffen?",
        "leipzig",
        ("wirtschaft", "stadtplanung"),
    ),
    RoutingCase(
        "Die Geschäfte laufen weg",
        "Uns laufen die Geschäfte im Zentrum weg. Was tun?",
        "nuernberg",
        ("wirtschaft",),
    ),
    RoutingCase(
        "Städtetourismus nach der Pandemie",
        "Die Übernachtungszahlen erholen sich langsam. Wir wollen mit der Tourismusgesellschaft ein neues "
        "Destinationskonzept erarbeiten und dabei Kulturangebote stärker nutzen. Wie habt ihr "
        "Stadtmarketing und Tourismus organisatorisch aufgestellt, und wer bezahlt was?",
        "bremen",
        ("wirtschaft", "kultur"),
    ),
    RoutingCase(
        "Handwerkerhof im Quartier",
        "Kleine Handwerksbetriebe werden aus den Innenstadtvierteln verdrängt. Habt ihr Erfahrung mit "
        "Gewerbehöfen, in denen die Stadt günstige Werkstätten vermietet?",
        "leipzig",
        ("wirtschaft", "stadtplanung"),
    ),
    RoutingCase(
        "Klimaneutrales Gewerbegebiet am Hafen",
        "Wir entwickeln ein neues Gewerbegebiet für Logistik und Produktion und wollen es klimaneutral "
        "versorgen, mit Abwärme, Solarstrom und gemeinsamen Ladeinfrastrukturen. Wie habt ihr die "
        "Anforderungen in Kaufverträgen festgeschrieben, ohne Investoren abzuschrecken?",
        "bremen",
        ("wirtschaft", "energie-klima"),
    ),
    # --- culture ---------------------------------------------------------------------------------
    RoutingCase(
        "Kulturentwicklungsplan fortschreiben",
        "Unser Kulturentwicklungsplan stammt von 2016. Wir wollen ihn gemeinsam mit den Einrichtungen "
        "und der freien Szene fortschreiben. Offen ist, wie wir Förderkriterien transparenter machen "
        "und Kulturangebote in die Stadtteile bringen. Wie habt ihr den Prozess strukturiert, wie lange "
        "hat er gedauert, und wie verbindlich ist das Ergebnis für den Haushalt? Gern würden wir euch "
        "für einen Workshop mit unserem Kulturamt gewinnen.",
        "leipzig",
        ("kultur",),
    ),
    RoutingCase(
        "Atelierräume sichern",
        "Künstlerinnen und Künstler verlieren ihre Ateliers durch Sanierung und Verkauf. Habt ihr ein "
        "Atelierprogramm, bei dem die Stadt Räume anmietet?",
        "nuernberg",
        ("kultur",),
    ),
    RoutingCase(
        "Clubkultur und Lärmschutz",
        "Zwei traditionsreiche Clubs sind von Beschwerden neuer Nachbarn bedroht. Wie schützt ihr "
        "Musikspielstätten, etwa mit Lärmschutzfonds?",
        "leipzig",
        ("kultur",),
    ),
    RoutingCase(
        "Stadtteilbibliothek als dritter Ort",
        "Wir wollen eine Stadtteilbibliothek zum offenen Treffpunkt mit längeren Öffnungszeiten ohne "
        "Personal umbauen (Open Library). Welche Erfahrungen habt ihr mit Sicherheit, Vandalismus und "
        "der Akzeptanz bei den Beschäftigten gemacht?",
        "bremen",
        ("kultur", "bildung"),
    ),
    RoutingCase(
        "Erinnerungskultur und Gedenkorte",
        "Wir überarbeiten die Gestaltung eines Gedenkortes aus der NS-Zeit und wollen Schulklassen "
        "stärker einbinden. Wie arbeitet ihr mit Dokumentationszentren und Initiativen zusammen?",
        "nuernberg",
        ("kultur",),
    ),
    RoutingCase(
        "Kunst im öffentlichen Raum",
        "Wie wählt ihr Kunstwerke für den öffentlichen Raum aus, und wer kümmert sich um die Pflege?",
        "bremen",
        ("kultur",),
    ),
    RoutingCase(
        "Festivall-Förderung",
        "Wir wollen unsere Förderrichtlinie für Festivals und Open-Air-Veranstaltungen überarbeiten, "
        "insbesondere Mehrjahresförderung. Wie macht ihr das?",
        "leipzig",
        ("kultur",),
    ),
    RoutingCase(
        "Leeres Industriegebäude, viele Künstler",
        "Wir haben ein leeres Industriegebäude und viele Künstler, die Räume suchen. Wie bringen wir das "
        "zusammen?",
        "nuernberg",
        ("kultur",),
    ),
    RoutingCase(
        "Kulturelle Bildung an Schulen",
        "Wir möchten, dass jedes Kind während der Grundschulzeit mindestens einmal ein Theater, ein "
        "Museum und ein Konzert besucht. Wie habt ihr Kultureinrichtungen und Schulen verbunden, und wer "
        "zahlt Fahrten und Eintritt?",
        "bremen",
        ("kultur", "bildung"),
    ),
    RoutingCase(
        "Gemeinsames Museumsdepot",
        "Unsere Museen brauchen dringend Depotflächen. Wir prüfen ein gemeinsames Zentraldepot für "
        "mehrere Häuser, einschließlich Klimatisierung und Restaurierungswerkstätten. Habt ihr so etwas "
        "gebaut oder geplant, und wie teilen sich die Sammlungen die Kosten? Wie habt ihr den Umzug der "
        "Bestände organisiert? Wir würden gern mit zwei Kolleginnen für einen Tag kommen.",
        "leipzig",
        ("kultur",),
    ),
    RoutingCase(
        "Soziokulturelles Zentrum in Not",
        "Unser soziokulturelles Zentrum im Stadtteil kommt mit der institutionellen Förderung nicht mehr "
        "aus. Wie finanziert ihr solche Häuser, und welche Rolle spielen die Angebote für Senioren und "
        "Geflüchtete?",
        "nuernberg",
        ("kultur", "soziales"),
    ),
    # --- social affairs --------------------------------------------------------------------------
    RoutingCase(
        "Quartiersmanagement verstetigen",
        "Die Städtebauförderung für unser Programmgebiet endet in zwei Jahren. Das Quartiersmanagement "
        "hat viel aufgebaut: ein Stadtteilbüro, Netzwerke der Träger, einen Bewohnerbeirat. Wir wollen "
        "verhindern, dass das alles wegbricht. Wie habt ihr die Arbeit nach dem Förderende verstetigt, "
        "und wer finanziert sie heute? Welche Aufgaben haben die Ämter übernommen? Wir würden gern "
        "eines eurer Quartiere besuchen.",
        "leipzig",
        ("soziales", "stadtplanung"),
    ),
    RoutingCase(
        "Präventionskette gegen Kinderarmut",
        "Wir wollen eine Präventionskette gegen Kinderarmut aufbauen, von der Geburt bis zum Berufseinstieg. "
        "Wie habt ihr Jugendamt, Gesundheitsamt, Kitas und Schulen vernetzt?",
        "bremen",
        ("soziales", "bildung"),
    ),
    RoutingCase(
        "Unterbringung Geflüchteter",
        "Wir brauchen kurzfristig Plätze für mehrere hundert Geflüchtete und wollen Turnhallen vermeiden. "
        "Wie verteilt ihr die Menschen auf kleinere Unterkünfte und Wohnungen, und wie begleitet ihr sie "
        "im Stadtteil?",
        "nuernberg",
        ("soziales", "wohnen"),
    ),
    RoutingCase(
        "Einsamkeit im Alter",
        "Viele ältere Menschen in unseren Stadtteilen sind einsam. Welche Angebote wie Besuchsdienste "
        "oder Begegnungsstätten haben bei euch gewirkt?",
        "leipzig",
        ("soziales",),
    ),
    RoutingCase(
        "Sozialmonitoring aufbauen",
        "Wir wollen kleinräumig beobachten, wo sich Armut, Arbeitslosigkeit und Transferbezug ballen, "
        "um Mittel gezielter zu verteilen. Welche Indikatoren und Raumeinheiten nutzt ihr, und wie geht "
        "ihr mit der Stigmatisierung von Stadtteilen um, wenn die Ergebnisse veröffentlicht werden?",
        "bremen",
        ("soziales",),
    ),
    RoutingCase(
        "Gesundheitskiosk im Stadtteil",
        "Habt ihr Erfahrung mit einem Gesundheitskiosk, der Menschen ohne Hausarzt niedrigschwellig berät?",
        "nuernberg",
        ("soziales",),
    ),
    RoutingCase(
        "Obdachlosigkeit im Winter",
        "Wie organisiert ihr die Kältehilfe für Obdachlose, mit Kältebus und Notunterkünften? Wir haben "
        "zu wenig Plätze und zu wenig Streetworker.",
        "leipzig",
        ("soziales",),
    ),
    RoutingCase(
        "Ein Viertel kippt",
        "In einem Viertel kippt gerade die Stimmung, viele fühlen sich abgehängt und es gibt Konflikte "
        "zwischen alten und neuen Bewohnern. Wie seid ihr mit so etwas umgegangen?",
        "bremen",
        ("soziales",),
    ),
    RoutingCase(
        "Aktionsplan Inklusion",
        "Wir schreiben unseren Aktionsplan zur UN-Behindertenrechtskonvention fort. Wie habt ihr "
        "Menschen mit Behinderungen und die Behindertenbeauftragten beteiligt, und wie messt ihr den "
        "Fortschritt der Maßnahmen?",
        "nuernberg",
        ("soziales", "beteiligung"),
    ),
    RoutingCase(
        "Jugendtreffs am Wochenende",
        "Unsere Jugendclubs haben am Wochenende zu. Wie finanziert ihr die offene Kinder- und "
        "Jugendarbeit an Abenden und Wochenenden?",
        "leipzig",
        ("soziales",),
    ),
    RoutingCase(
        "Familienzentren an Kitas",
        "Wir wollen Kitas in benachteiligten Stadtteilen zu Familienzentren mit Beratung für Eltern "
        "ausbauen. Wie habt ihr das finanziert und wer koordiniert vor Ort?",
        "bremen",
        ("soziales", "bildung"),
    ),
    # --- digitalisation --------------------------------------------------------------------------
    RoutingCase(
        "OZG-Leistungen Ende zu Ende",
        "Wir haben viele Online-Anträge, aber dahinter wird weiter ausgedruckt. Wir wollen die "
        "wichtigsten Verwaltungsleistungen Ende-zu-Ende digitalisieren, mit Anbindung an die "
        "Fachverfahren und digitaler Bezahlung. Welche Leistungen habt ihr zuerst angepackt, und wie "
        "habt ihr die Fachämter überzeugt, ihre Prozesse zu ändern? Nutzt ihr EfA-Leistungen anderer "
        "Länder? Wie viele Leute arbeiten in eurem Team? Wir würden gern für zwei Tage zu euch kommen.",
        "leipzig",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Digitaler Zwilling der Stadt",
        "Wir bauen einen digitalen Zwilling mit 3D-Stadtmodell auf und wollen ihn für Planungsvarianten "
        "und Verschattungsanalysen nutzen. Welche Datengrundlagen und Software nutzt ihr?",
        "nuernberg",
        ("digitalisierung", "stadtplanung"),
    ),
    RoutingCase(
        "Open-Data-Portal",
        "Wir wollen ein Open-Data-Portal starten. Welche Datensätze werden bei euch am meisten genutzt?",
        "bremen",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Einführung der E-Akte",
        "Wir führen die elektronische Akte in allen Ämtern ein und kommen nur langsam voran. Wie habt ihr "
        "Scannen, Schulungen und Widerstände in den Fachbereichen gelöst?",
        "leipzig",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Sensornetz mit LoRaWAN",
        "Wir wollen Sensoren für Parkplätze, Bodenfeuchte und Füllstände von Mülleimern über ein "
        "LoRaWAN-Netz betreiben. Wer betreibt bei euch das Netz, und wie sind die Daten zugänglich?",
        "nuernberg",
        ("digitalisierung",),
    ),
    RoutingCase(
        "KI-Chatbot für das Bürgertelefon",
        "Wir testen einen Chatbot mit künstlicher Intelligenz, der Fragen zu Ummeldung, Personalausweis "
        "und Abfall beantwortet. Wie geht ihr mit Datenschutz und falschen Antworten um?",
        "bremen",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Digitalisirung der Bauantragsverfahren",
        "Wir wollen Bauanträge vollständig digital annehmen und bearbeiten. Welche Software nutzt ihr, "
        "und wie habt ihr die Beteiligung der Fachbehörden digital gelöst?",
        "leipzig",
        ("digitalisierung", "stadtplanung"),
    ),
    RoutingCase(
        "Anträge von zu Hause",
        "Unsere Bürgerinnen und Bürger wollen Anträge endlich von zu Hause stellen statt Wochen auf "
        "einen Termin zu warten.",
        "nuernberg",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Urbane Datenplattform",
        "Wir sollen eine urbane Datenplattform aufbauen, auf der Verkehrs-, Umwelt- und Geodaten "
        "zusammenlaufen. Die Ausschreibung steht an, aber wir wissen nicht, ob wir auf eine offene "
        "Referenzarchitektur setzen oder ein Produkt kaufen sollen. Wer hat so eine Plattform im "
        "Betrieb, und was kostet sie im Jahr? Wie regelt ihr Datenhoheit gegenüber Dienstleistern? "
        "Gern würden wir eure Plattform einmal live sehen.",
        "bremen",
        ("digitalisierung",),
    ),
    RoutingCase(
        "Ältere Menschen digital mitnehmen",
        "Immer mehr Leistungen gibt es nur noch online, aber viele Ältere kommen damit nicht zurecht. "
        "Habt ihr digitale Lotsen oder Sprechstunden in Stadtteilbibliotheken und Begegnungsstätten?",
        "leipzig",
        ("digitalisierung", "soziales"),
    ),
    RoutingCase(
        "Glasfaser für Schulen und Gewerbegebiete",
        "Der Glasfaserausbau kommt bei uns nur in Neubaugebieten voran. Wie habt ihr den Breitbandausbau "
        "in Gewerbegebieten und an Schulen vorangetrieben, mit Förderung oder eigenem Netzbetreiber?",
        "nuernberg",
        ("digitalisierung", "wirtschaft"),
    ),
]
