<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
    <context>
        <name>CropConfidence</name>
        <message>
            <location filename="../plugin/domain/products.py" line="40" />
            <source>CTY + CTYCL (CLMS Crop Types and Confidence Layer)</source>
            <translation>CTY + CTYCL (types de cultures CLMS et couche de confiance)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="41" />
            <location filename="../plugin/gui/dock.py" line="94" />
            <source>CTYCL only (CLMS Confidence Layer)</source>
            <translation>CTYCL seule (couche de confiance CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="42" />
            <source>OSO 2018+ (23 classes)</source>
            <translation>OSO 2018 et après (23 classes)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="43" />
            <source>OSO 2016–2017 (17 classes)</source>
            <translation>OSO 2016–2017 (17 classes)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="44" />
            <source>Custom</source>
            <translation>Personnalisé</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="48" />
            <source>Map canvas extent</source>
            <translation>Emprise du canevas de carte</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="49" />
            <source>Extent of a layer</source>
            <translation>Emprise d'une couche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="50" />
            <source>Selected features of a layer</source>
            <translation>Entités sélectionnées d'une couche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="51" />
            <source>Rectangle drawn on the map</source>
            <translation>Rectangle dessiné sur la carte</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="59" />
            <source>Draw…</source>
            <translation>Dessiner…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="63" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="118" />
            <source>Area</source>
            <translation>Emprise</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="52" />
            <location filename="../plugin/plugin.py" line="28" />
            <location filename="../plugin/processing/provider.py" line="20" />
            <source>Crop Confidence</source>
            <translation>Crop Confidence</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="75" />
            <source>Search</source>
            <translation>Rechercher</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="93" />
            <source>CTY + CTYCL (CLMS Crop Types)</source>
            <translation>CTY + CTYCL (types de cultures CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="95" />
            <source>OSO (CNES land cover)</source>
            <translation>OSO (occupation du sol du CNES)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="96" />
            <location filename="../plugin/processing/cropmask_algorithm.py" line="127" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="103" />
            <location filename="../plugin/processing/style_algorithm.py" line="141" />
            <source>Product</source>
            <translation>Produit</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="102" />
            <location filename="../plugin/gui/results_table.py" line="21" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="111" />
            <source>Year</source>
            <translation>Année</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="109" />
            <source>New account…</source>
            <translation>Nouveau compte…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="110" />
            <location filename="../plugin/gui/fetch_actions.py" line="57" />
            <location filename="../plugin/gui/search_actions.py" line="41" />
            <location filename="../plugin/gui/year_list.py" line="69" />
            <source>Credentials</source>
            <translation>Identifiants</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="116" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="126" />
            <source>Clip to the area (read only what is needed)</source>
            <translation>Découper selon l'emprise (ne lire que le nécessaire)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="120" />
            <source>Fetch</source>
            <translation>Récupérer</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="121" />
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="131" />
            <source>Crop mask…</source>
            <translation>Masque de cultures…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="201" />
            <source>Choose an area.</source>
            <translation>Choisissez une emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="209" />
            <source>{} km² where the product has data, about {} to download</source>
            <translation>{} km² là où le produit a des données, environ {} à télécharger</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="211" />
            <source>{} km², about {} to download</source>
            <translation>{} km², environ {} à télécharger</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="229" />
            <source>Sentinel Hub OAuth client</source>
            <translation>Client OAuth Sentinel Hub</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="229" />
            <source>Copernicus Data Space account</source>
            <translation>Compte Copernicus Data Space</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="230" />
            <source>Client id:</source>
            <translation>Identifiant du client :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="230" />
            <source>User name (e-mail):</source>
            <translation>Nom d'utilisateur (courriel) :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="231" />
            <source>Client secret:</source>
            <translation>Secret du client :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="231" />
            <source>Password:</source>
            <translation>Mot de passe :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="242" />
            <source>Credentials not saved</source>
            <translation>Identifiants non enregistrés</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="41" />
            <source>Nothing to fetch</source>
            <translation>Rien à récupérer</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="41" />
            <source>Choose an area and a year.</source>
            <translation>Choisissez une emprise et une année.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="84" />
            <source>Fetching {} {}…</source>
            <translation>Récupération de {} {}…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="86" />
            <source>Crop Confidence: fetch</source>
            <translation>Crop Confidence : récupération</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="114" />
            <source>Cancelled.</source>
            <translation>Annulé.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="116" />
            <source>Fetch cancelled</source>
            <translation>Récupération annulée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="117" />
            <source>No layer file was left half-written; partial downloads are kept as .part files and resumed by the next fetch.</source>
            <translation>Aucun fichier de couche n'est resté à moitié écrit ; les téléchargements partiels sont gardés en fichiers .part et repris au prochain téléchargement.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="125" />
            <source>Failed.</source>
            <translation>Échec.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="126" />
            <source>Fetch failed</source>
            <translation>Échec de la récupération</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="136" />
            <source>Whole tiles: about {} will be downloaded. Continue?</source>
            <translation>Tuiles entières : environ {} à télécharger. Continuer ?</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="138" />
            <source>Whole tiles of unknown size will be downloaded (search first to see sizes). Continue?</source>
            <translation>Des tuiles entières de taille inconnue seront téléchargées (lancez d'abord une recherche pour voir les tailles). Continuer ?</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="143" />
            <source>Download whole tiles</source>
            <translation>Télécharger des tuiles entières</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="161" />
            <source>Layer not loaded</source>
            <translation>Couche non chargée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="171" />
            <source>{} item(s), {} transferred.</source>
            <translation>{} élément(s), {} transférés.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="176" />
            <source>Fetched</source>
            <translation>Récupération terminée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="177" />
            <source>{} layer(s) added to '{}'.</source>
            <translation>{} couche(s) ajoutée(s) à « {} ».</translation>
        </message>
        <message>
            <location filename="../plugin/gui/formatting.py" line="15" />
            <source>unknown size</source>
            <translation>taille inconnue</translation>
        </message>
        <message>
            <location filename="../plugin/gui/formatting.py" line="16" />
            <source>B</source>
            <translation>o</translation>
        </message>
        <message>
            <location filename="../plugin/gui/formatting.py" line="16" />
            <source>kB</source>
            <translation>ko</translation>
        </message>
        <message>
            <location filename="../plugin/gui/formatting.py" line="16" />
            <source>MB</source>
            <translation>Mo</translation>
        </message>
        <message>
            <location filename="../plugin/gui/formatting.py" line="16" />
            <source>GB</source>
            <translation>Go</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="21" />
            <source>Tile</source>
            <translation>Tuile</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="21" />
            <source>Layers</source>
            <translation>Couches</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="21" />
            <source>Size</source>
            <translation>Taille</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="27" />
            <source>No area</source>
            <translation>Aucune emprise</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="27" />
            <source>Choose an area first.</source>
            <translation>Choisissez d'abord une emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="30" />
            <source>No year</source>
            <translation>Aucune année</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="30" />
            <source>No year is available.</source>
            <translation>Aucune année n'est disponible.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="60" />
            <source>Searching…</source>
            <translation>Recherche…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="61" />
            <source>Crop Confidence: search</source>
            <translation>Crop Confidence : recherche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="67" />
            <source>Search cancelled.</source>
            <translation>Recherche annulée.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="73" />
            <source>Search failed</source>
            <translation>Échec de la recherche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="111" />
            <source>Nothing found</source>
            <translation>Aucun résultat</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="112" />
            <source>No product for {} over this area.</source>
            <translation>Aucun produit pour {} sur cette emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="117" />
            <source>Whole files only</source>
            <translation>Fichiers entiers seulement</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="118" />
            <source>The server does not allow range reads: clipping is not possible. Untick 'Clip to the area' to download the whole files.</source>
            <translation>Le serveur n'accepte pas les lectures partielles : le découpage est impossible. Décochez « Découper à la zone » pour télécharger les fichiers entiers.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="19" />
            <source>Settings</source>
            <translation>Paramètres</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="29" />
            <source>Download folder</source>
            <translation>Dossier de téléchargement</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="32" />
            <source>all cores</source>
            <translation>tous les cœurs</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="33" />
            <source>Worker threads</source>
            <translation>Threads de calcul</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="37" />
            <source>Default minimum confidence</source>
            <translation>Niveau de confiance minimal par défaut</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="40" />
            <source> MB</source>
            <translation> Mo</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="41" />
            <source>Ask before downloading more than</source>
            <translation>Demander avant de télécharger plus de</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="43" />
            <source>Copernicus Data Space STAC API</source>
            <translation>API STAC de Copernicus Data Space</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="44" />
            <source>CLMS source (advanced)</source>
            <translation>Source CLMS (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="46" />
            <source>Sentinel Hub</source>
            <translation>Sentinel Hub</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="47" />
            <source>OSO source (advanced)</source>
            <translation>Source OSO (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="49" />
            <source>Sentinel Hub OSO collection id (advanced)</source>
            <translation>Identifiant de la collection OSO sur Sentinel Hub (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="39" />
            <source>Cannot list the years</source>
            <translation>Impossible de lister les années</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="46" />
            <source>(not checked)</source>
            <translation>(non vérifiées)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="50" />
            <source>Crop Confidence: years</source>
            <translation>Crop Confidence : années</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="18" />
            <source>Crop masks</source>
            <translation>Masques de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="18" />
            <source>Crop areas</source>
            <translation>Surfaces des cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="18" />
            <source>Data</source>
            <translation>Données</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="42" />
            <source>Cancelled: no output was written.</source>
            <translation>Annulé : aucune sortie n'a été écrite.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_table.py" line="35" />
            <source>All crop types (CTYCL)</source>
            <translation>Tous les types de cultures (CTYCL)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="52" />
            <source>{}: the layer '{}' ({}) is not a local raster file. Save it as a GeoTIFF first (Export &gt; Save As).</source>
            <translation>{} : la couche « {} » ({}) n'est pas un fichier raster local. Enregistrez-la d'abord en GeoTIFF (Exporter &gt; Sauvegarder sous).</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="99" />
            <source>Confidence-filtered crop mask</source>
            <translation>Masque de cultures filtré par la confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="103" />
            <source>Keeps the pixels of the selected crop classes whose classifier confidence reaches a threshold, and counts pixels and hectares per class.

Binary mask: 1 kept, 0 not kept, 255 no data. Filtered class map: the class code where kept, 0 elsewhere, the class nodata ({cty_nodata} for CTY, 255 for OSO; for Custom the class file's nodata, or its type's largest value when that is 0 or unset) where there is no data.

No data: CTY {cty_nodata}, CTYCL {ctycl_nodata} or an invalid value (101-252, 254), OSO 0 or 255, and each file's own nodata. Not kept: CTY 0, CTYCL {ctycl_no_crop}, a class not selected, a confidence below the threshold, a validity below the minimum.

CLASSES is a comma-separated list of codes; empty means the product's crop classes. All layers must share one grid (CRS, pixel size, alignment); they are processed over their common extent, never resampled.

The per-class table is counted only when it is asked for: it takes about 40% more time.

The output records the product, output mode, kept classes and thresholds in its metadata (CROPCONFIDENCE_*), from which 'Apply Crop Confidence style' styles it.</source>
            <translation>Conserve les pixels des classes de cultures sélectionnées dont la confiance du classifieur atteint un seuil, et compte les pixels et les hectares par classe.

Masque binaire : 1 conservé, 0 non conservé, 255 pas de données. Carte des classes filtrée : le code de la classe là où le pixel est conservé, 0 ailleurs, la valeur nodata des classes ({cty_nodata} pour CTY, 255 pour OSO ; pour Personnalisé, le nodata du fichier des classes, ou la plus grande valeur de son type quand il vaut 0 ou n'est pas défini) là où il n'y a pas de données.

Pas de données : CTY {cty_nodata}, CTYCL {ctycl_nodata} ou une valeur invalide (101-252, 254), OSO 0 ou 255, ainsi que la valeur nodata propre à chaque fichier. Non conservé : CTY 0, CTYCL {ctycl_no_crop}, une classe non sélectionnée, une confiance inférieure au seuil, une validité inférieure au minimum.

CLASSES est une liste de codes séparés par des virgules ; vide, elle désigne les classes de cultures du produit. Toutes les couches doivent partager la même grille (SCR, taille de pixel, alignement) ; elles sont traitées sur leur emprise commune, sans jamais être rééchantillonnées.

Le tableau par classe n'est calculé que s'il est demandé : il prend environ 40 % de temps en plus.

La sortie enregistre le produit, le mode de sortie, les classes conservées et les seuils dans ses métadonnées (CROPCONFIDENCE_*), d'après lesquelles « Appliquer le style Crop Confidence » lui donne son style.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="135" />
            <source>Output</source>
            <translation>Sortie</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="136" />
            <source>Binary mask</source>
            <translation>Masque binaire</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="136" />
            <source>Filtered class map</source>
            <translation>Carte des classes filtrée</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="141" />
            <source>Clip to extent</source>
            <translation>Découper selon l'emprise</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="152" />
            <source>Class layer (CTY or OSO classes; not needed for CTYCL only)</source>
            <translation>Couche des classes (classes CTY ou OSO ; inutile pour CTYCL seule)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="153" />
            <source>Class band</source>
            <translation>Bande des classes</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="159" />
            <source>Confidence layer (CTYCL or {oso_confidence_band})</source>
            <translation>Couche de confiance (CTYCL ou {oso_confidence_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="160" />
            <source>Confidence band</source>
            <translation>Bande de confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="166" />
            <source>Validity layer (OSO {oso_validity_band})</source>
            <translation>Couche de validité (OSO {oso_validity_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="167" />
            <source>Validity band</source>
            <translation>Bande de validité</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="180" />
            <source>Minimum validity (cloud-free dates)</source>
            <translation>Validité minimale (dates sans nuages)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="189" />
            <source>Classes to keep (comma-separated codes; empty = the product's crops)</source>
            <translation>Classes à conserver (codes séparés par des virgules ; vide = les cultures du produit)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="197" />
            <source>Minimum confidence (%)</source>
            <translation>Niveau de confiance minimal (%)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="208" />
            <source>Threads (0 = all cores)</source>
            <translation>Threads (0 = tous les cœurs)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="215" />
            <source>GDAL creation options (KEY=VALUE|KEY=VALUE)</source>
            <translation>Options de création GDAL (CLE=VALEUR|CLE=VALEUR)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="224" />
            <source>Crop mask</source>
            <translation>Masque de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="228" />
            <source>Per-class counts</source>
            <translation>Comptages par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="235" />
            <source>Total pixels</source>
            <translation>Nombre total de pixels</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="236" />
            <source>No-data pixels</source>
            <translation>Pixels sans données</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="237" />
            <source>Kept pixels</source>
            <translation>Pixels conservés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="238" />
            <source>Kept area (ha)</source>
            <translation>Surface conservée (ha)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="247" />
            <source>CONFIDENCE_LAYER: the layer {} cannot be opened as a raster.</source>
            <translation>CONFIDENCE_LAYER : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="256" />
            <source>{}: the layer {} cannot be opened as a raster.</source>
            <translation>{} : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="271" />
            <source>{}: band {} does not exist; bands are numbered from 1.</source>
            <translation>{} : la bande {} n'existe pas ; les bandes sont numérotées à partir de 1.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="336" />
            <source>OUTPUT_TABLE: the folder '{}' of the table '{}' does not exist. Create it or choose another file for the table.</source>
            <translation>OUTPUT_TABLE : le dossier « {} » de la table « {} » n'existe pas. Créez-le ou choisissez un autre fichier pour la table.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="364" />
            <source>OUTPUT: '{}' is not a GeoTIFF name. The crop mask is always written as a GeoTIFF: give a file name ending in .tif.</source>
            <translation>OUTPUT : « {} » n'est pas un nom de GeoTIFF. Le masque de cultures est toujours écrit en GeoTIFF : donnez un nom de fichier finissant par .tif.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="374" />
            <source>MIN_VALIDITY {} is ignored: no validity layer is given.</source>
            <translation>MIN_VALIDITY {} est ignoré : aucune couche de validité n'est donnée.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="380" />
            <source>Product {}, classes {}, minimum confidence {}</source>
            <translation>Produit {}, classes {}, niveau de confiance minimal {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="383" />
            <source>all cropland</source>
            <translation>toutes les terres cultivées</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="416" />
            <source>The rasters' CRS is not projected in metres: areas are not computed.</source>
            <translation>Le SCR des rasters n'est pas projeté en mètres : les surfaces ne sont pas calculées.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="421" />
            <source>Kept {} of {} pixels ({} ha); {} no-data pixels.</source>
            <translation>{} pixels conservés sur {} ({} ha) ; {} pixels sans données.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="465" />
            <source>OUTPUT_TABLE: the table '{}' cannot be written: {}. No crop mask was written either. Choose another file or folder for the table.</source>
            <translation>OUTPUT_TABLE : impossible d'écrire la table « {} » : {}. Aucun masque de cultures n'a donc été écrit. Choisissez un autre fichier ou dossier pour la table.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="67" />
            <source>Fetch crop layers</source>
            <translation>Récupérer les couches de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="71" />
            <source>Finds the CLMS Crop Types (CTY) and Confidence Layer (CTYCL) tiles, or the CNES OSO map, of a year over an extent, and fetches them into a folder. By default only the extent is read (HTTP range requests), as one mosaic per layer on the product's own grid; otherwise whole tiles are downloaded (resumable, checksums verified).

Sources (SOURCE_URL, advanced). CLMS: a STAC API root (default: Copernicus Data Space) or a static catalog.json. OSO: the address says which kind of source it is, checked in this order:
- empty: Sentinel Hub (https://services.sentinel-hub.com, the CNES OSO collection);
- addresses ending in .tif, .tiff or .vrt: one 3-band OSO raster, or three rasters separated by '|' ({oso_bands}); {year} is replaced by the year;
- an address ending in .json: a static STAC catalogue (catalog.json);
- a Sentinel Hub base URL: a Sentinel Hub host (*.sentinel-hub.com, sh.dataspace.copernicus.eu), an address without a path (https://host), or a process or catalog API URL holding /api/v1;
- any other address (with a path, e.g. https://mirror.example.org/stac/v1): a STAC API root.
STAC sources hold the 3-band OSO rasters in the collection 'oso'. Sentinel Hub serves areas only: keep 'Clip to the area' on.

Credentials come from a QGIS authentication configuration: for CDSE a Basic configuration with the account's user name and password; for Sentinel Hub the OAuth client id and secret. Searching CDSE needs no account.</source>
            <translation>Trouve les tuiles CLMS des types de cultures (CTY) et de la couche de confiance (CTYCL), ou la carte OSO du CNES, d'une année sur une emprise, et les récupère dans un dossier. Par défaut, seule l'emprise est lue (requêtes HTTP par plages), sous forme d'une mosaïque par couche sur la grille propre au produit ; sinon, les tuiles entières sont téléchargées (reprise possible, sommes de contrôle vérifiées).

Sources (SOURCE_URL, avancé). CLMS : la racine d'une API STAC (par défaut : Copernicus Data Space) ou un catalog.json statique. OSO : l'adresse indique le type de source, vérifié dans cet ordre :
- vide : Sentinel Hub (https://services.sentinel-hub.com, la collection OSO du CNES) ;
- adresses se terminant par .tif, .tiff ou .vrt : un raster OSO à 3 bandes, ou trois rasters séparés par '|' ({oso_bands}) ; {year} est remplacé par l'année ;
- une adresse se terminant par .json : un catalogue STAC statique (catalog.json) ;
- une URL de base Sentinel Hub : un hôte Sentinel Hub (*.sentinel-hub.com, sh.dataspace.copernicus.eu), une adresse sans chemin (https://host), ou une URL d'API process ou catalog contenant /api/v1 ;
- toute autre adresse (avec un chemin, par ex. https://mirror.example.org/stac/v1) : la racine d'une API STAC.
Les sources STAC contiennent les rasters OSO à 3 bandes dans la collection 'oso'. Sentinel Hub ne sert que des emprises : laissez « Découper selon l'emprise » coché.

Les identifiants proviennent d'une configuration d'authentification QGIS : pour CDSE, une configuration Basic avec le nom d'utilisateur et le mot de passe du compte ; pour Sentinel Hub, l'identifiant et le secret du client OAuth. La recherche dans CDSE ne nécessite pas de compte.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="121" />
            <source>Credentials (authentication configuration)</source>
            <translation>Identifiants (configuration d'authentification)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="131" />
            <source>Source: STAC API root, catalog.json, Sentinel Hub base URL or raster URL</source>
            <translation>Source : racine d'une API STAC, catalog.json, URL de base Sentinel Hub ou URL d'un raster</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="138" />
            <source>Output folder</source>
            <translation>Dossier de sortie</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="141" />
            <source>Class layer</source>
            <translation>Couche des classes</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="142" />
            <source>Confidence layer</source>
            <translation>Couche de confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="143" />
            <source>Validity layer</source>
            <translation>Couche de validité</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="146" />
            <source>Items fetched</source>
            <translation>Éléments récupérés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="147" />
            <source>Bytes transferred</source>
            <translation>Octets transférés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="150" />
            <source>Cancelled: no file was left half-written.</source>
            <translation>Annulé : aucun fichier n'est resté à moitié écrit.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="156" />
            <source>EXTENT: give a non-empty area.</source>
            <translation>EXTENT : indiquez une emprise non vide.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="160" />
            <source>EXTENT: the area has no coordinate reference system. Add it after the numbers, for example '3851000,3855000,2650000,2653000 [EPSG:3035]'.</source>
            <translation>EXTENT : l'emprise n'a pas de système de coordonnées. Ajoutez-le après les nombres, par exemple « 3851000,3855000,2650000,2653000 [EPSG:3035] ».</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="180" />
            <source>Fetched {} item(s), {} bytes transferred.</source>
            <translation>{} élément(s) récupéré(s), {} octets transférés.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="23" />
            <source>Crop Confidence: confidence-filtered crop masks</source>
            <translation>Crop Confidence : masques de cultures filtrés par la confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="44" />
            <source>Detect from the name, band description or metadata</source>
            <translation>Détecter d'après le nom, la description de bande ou les métadonnées</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="47" />
            <source>CTY (CLMS Crop Types)</source>
            <translation>CTY (types de cultures CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="48" />
            <source>CTYCL (CLMS Confidence Layer)</source>
            <translation>CTYCL (couche de confiance CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="49" />
            <source>OSO confidence ({oso_confidence_band})</source>
            <translation>Confiance OSO ({oso_confidence_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="50" />
            <source>OSO validity ({oso_validity_band})</source>
            <translation>Validité OSO ({oso_validity_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="51" />
            <source>Crop mask (binary mask or filtered class map)</source>
            <translation>Masque de cultures (masque binaire ou carte des classes filtrée)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="108" />
            <source>Apply Crop Confidence style</source>
            <translation>Appliquer le style Crop Confidence</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="116" />
            <source>Gives a raster layer the style of its product: the official class colours and labels (in the QGIS language) for OSO and CTY, a red-to-green ramp for the CTYCL confidence ({ctycl_no_crop} 'No cropland' in grey, 255 transparent), black-to-green and black-to-red ramps for the OSO confidence and validity, green kept pixels for a binary crop mask and the class palette for a filtered class map (Custom: each kept code in its own colour).

Detect reads the file name (CLMS ids such as CLMS_HRLVLCC_CTYCL_..., OCS_2018_CESBIO, the names written by 'Fetch crop layers'), the layer name, the band description ({oso_band_list}) and the GDAL metadata. OSO 2016 and 2017 have 17 classes; without a year in the name, the values present decide. Crop masks are detected from the settings 'Confidence-filtered crop mask' records in their metadata (CROPCONFIDENCE_*); for one without them, choose 'Crop mask', and its values tell a class map's product.

A layer of the current project is restyled in place. A file that is not open in the project gets the style saved as its default style: a .qml file next to it, which QGIS reads whenever the file is opened.</source>
            <translation>Donne à une couche raster le style de son produit : les couleurs et libellés officiels des classes (dans la langue de QGIS) pour OSO et CTY, une rampe du rouge au vert pour la confiance CTYCL ({ctycl_no_crop} « Pas de culture » en gris, 255 transparent), des rampes du noir au vert et du noir au rouge pour la confiance et la validité OSO, les pixels conservés en vert pour un masque de cultures binaire et la palette des classes pour une carte des classes filtrée (Personnalisé : chaque code conservé dans sa propre couleur).

La détection lit le nom du fichier (identifiants CLMS tels que CLMS_HRLVLCC_CTYCL_..., OCS_2018_CESBIO, les noms écrits par « Récupérer les couches de cultures »), le nom de la couche, la description de bande ({oso_band_list}) et les métadonnées GDAL. OSO 2016 et 2017 ont 17 classes ; sans année dans le nom, ce sont les valeurs présentes qui décident. Les masques de cultures sont détectés d'après les paramètres que « Masque de cultures filtré par la confiance » enregistre dans leurs métadonnées (CROPCONFIDENCE_*) ; pour un masque qui n'en a pas, choisissez « Masque de cultures » : ses valeurs indiquent alors le produit d'une carte des classes.

Une couche du projet courant est restylée sur place. Un fichier qui n'est pas ouvert dans le projet reçoit le style enregistré comme style par défaut : un fichier .qml à côté de lui, que QGIS lit à chaque ouverture du fichier.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="138" />
            <source>Raster layer</source>
            <translation>Couche raster</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="146" />
            <source>Styled layer (its id, or its file when not in the project)</source>
            <translation>Couche stylée (son identifiant, ou son fichier si elle n'est pas dans le projet)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="149" />
            <source>Style applied</source>
            <translation>Style appliqué</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="155" />
            <source>INPUT: the layer {} cannot be opened as a raster.</source>
            <translation>INPUT : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="164" />
            <source>Cannot tell which product the layer '{}' ({}) is from its name, band description or metadata. Choose the product: {}.</source>
            <translation>Impossible de déterminer le produit de la couche « {} » ({}) d'après son nom, sa description de bande ou ses métadonnées. Choisissez le produit : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="170" />
            <source>Detected: {}</source>
            <translation>Détecté : {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="178" />
            <source>Cannot save the default style of {}: {}</source>
            <translation>Impossible d'enregistrer le style par défaut de {} : {}</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="32" />
            <source>The QGIS authentication system is disabled: enable it in Settings &gt; Options &gt; Authentication.</source>
            <translation>Le système d'authentification de QGIS est désactivé : activez-le dans Préférences &gt; Options &gt; Authentification.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="40" />
            <source>The authentication configuration '{}' cannot be read: it does not exist or the master password was not given. Choose it again in the settings.</source>
            <translation>La configuration d'authentification « {} » ne peut pas être lue : elle n'existe pas ou le mot de passe principal n'a pas été donné. Choisissez-la de nouveau dans les paramètres.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="53" />
            <source>The authentication configuration '{}' uses the method '{}'; a 'Basic' (user name and password) configuration is needed.</source>
            <translation>La configuration d'authentification « {} » utilise la méthode « {} » ; une configuration « Basic » (nom d'utilisateur et mot de passe) est nécessaire.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="62" />
            <source>The authentication configuration '{}' has no user name or password.</source>
            <translation>La configuration d'authentification « {} » n'a pas de nom d'utilisateur ou de mot de passe.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="88" />
            <source>The authentication configuration '{}' has no OAuth client id or secret for Sentinel Hub.</source>
            <translation>La configuration d'authentification « {} » n'a pas d'identifiant ou de secret de client OAuth pour Sentinel Hub.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/credentials.py" line="116" />
            <source>QGIS could not store the authentication configuration: set or enter the master password first.</source>
            <translation>QGIS n'a pas pu enregistrer la configuration d'authentification : définissez ou saisissez d'abord le mot de passe principal.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/prompt.py" line="33" />
            <source>CDSE refused the login. If your Copernicus account uses two-factor authentication, enter its one-time code; otherwise cancel, then check the user name and password.</source>
            <translation>CDSE a refusé la connexion. Si votre compte Copernicus utilise l'authentification à deux facteurs, saisissez son code à usage unique ; sinon annulez, puis vérifiez le nom d'utilisateur et le mot de passe.</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/prompt.py" line="38" />
            <source>One-time code of your Copernicus account:</source>
            <translation>Code à usage unique de votre compte Copernicus :</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/prompt.py" line="51" />
            <source>Copernicus two-factor authentication</source>
            <translation>Authentification à deux facteurs Copernicus</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/styles.py" line="104" />
            <source>Kept (confidence ≥ {})</source>
            <translation>Conservé (confiance ≥ {})</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/styles.py" line="131" />
            <source>Class {}</source>
            <translation>Classe {}</translation>
        </message>
        <message>
            <source>Could not write the crop mask's settings into the metadata of {} ({}): 'Apply Crop Confidence style' will tell its kind from its values only.</source>
            <translation type="vanished">Impossible d'écrire les paramètres du masque de cultures dans les métadonnées de {} ({}) : « Appliquer le style Crop Confidence » ne pourra en déduire le type que d'après ses valeurs.</translation>
        </message>
    </context>
</TS>
