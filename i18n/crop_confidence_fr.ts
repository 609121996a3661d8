<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
    <context>
        <name>CropConfidence</name>
        <message>
            <location filename="../plugin/domain/products.py" line="38" />
            <source>CTY + CTYCL (CLMS Crop Types)</source>
            <translation>CTY + CTYCL (types de cultures CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="39" />
            <source>CTYCL only (CLMS Confidence Layer)</source>
            <translation>CTYCL seule (couche de confiance CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="40" />
            <source>OSO 2018+ (23 classes)</source>
            <translation>OSO 2018 et après (23 classes)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="41" />
            <source>OSO 2016–2017 (17 classes)</source>
            <translation>OSO 2016–2017 (17 classes)</translation>
        </message>
        <message>
            <location filename="../plugin/domain/products.py" line="42" />
            <source>Custom</source>
            <translation>Personnalisé</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="52" />
            <source>Map canvas extent</source>
            <translation>Emprise du canevas de carte</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="53" />
            <source>Extent of a layer</source>
            <translation>Emprise d'une couche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="54" />
            <source>Selected features of a layer</source>
            <translation>Entités sélectionnées d'une couche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="55" />
            <source>Rectangle drawn on the map</source>
            <translation>Rectangle dessiné sur la carte</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="63" />
            <source>Draw…</source>
            <translation>Dessiner…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/area_picker.py" line="67" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="117" />
            <location filename="../plugin/processing/provider.py" line="56" />
            <source>Area</source>
            <translation>Emprise</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="60" />
            <location filename="../plugin/plugin.py" line="43" />
            <location filename="../plugin/processing/provider.py" line="122" />
            <source>Crop Confidence</source>
            <translation>Crop Confidence</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="86" />
            <source>Search</source>
            <translation>Rechercher</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="124" />
            <source>OSO (CNES land cover)</source>
            <translation>OSO (occupation du sol du CNES)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="125" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="102" />
            <location filename="../plugin/processing/mask_inputs.py" line="68" />
            <location filename="../plugin/processing/provider.py" line="63" />
            <location filename="../plugin/processing/style_algorithm.py" line="178" />
            <source>Product</source>
            <translation>Produit</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="127" />
            <location filename="../plugin/gui/results_table.py" line="19" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="110" />
            <location filename="../plugin/processing/provider.py" line="65" />
            <source>Year</source>
            <translation>Année</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="137" />
            <source>New account…</source>
            <translation>Nouveau compte…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="138" />
            <location filename="../plugin/gui/fetch_actions.py" line="70" />
            <location filename="../plugin/gui/search_actions.py" line="95" />
            <location filename="../plugin/gui/year_list.py" line="147" />
            <location filename="../plugin/processing/provider.py" line="61" />
            <source>Credentials</source>
            <translation>Identifiants</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="145" />
            <location filename="../plugin/processing/fetch_algorithm.py" line="125" />
            <source>Clip to the area (read only what is needed)</source>
            <translation>Découper selon l'emprise (ne lire que le nécessaire)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="150" />
            <source>Fetch</source>
            <translation>Récupérer</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="151" />
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="163" />
            <source>Crop mask…</source>
            <translation>Masque de cultures…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="164" />
            <source>Areas per zone…</source>
            <translation>Surfaces par zone…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="238" />
            <location filename="../plugin/gui/search_actions.py" line="60" />
            <source>Choose an area.</source>
            <translation>Choisissez une emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="242" />
            <source>The product has no data over this area.</source>
            <translation>Le produit n'a pas de données sur cette emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="249" />
            <source>{} km² where the product has data, about {} to download</source>
            <translation>{} km² là où le produit a des données, environ {} à télécharger</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="251" />
            <source>{} km², about {} to download</source>
            <translation>{} km², environ {} à télécharger</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="269" />
            <source>Sentinel Hub OAuth client</source>
            <translation>Client OAuth Sentinel Hub</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="269" />
            <source>Copernicus Data Space account</source>
            <translation>Compte Copernicus Data Space</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="270" />
            <source>Client id:</source>
            <translation>Identifiant du client :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="270" />
            <source>User name (e-mail):</source>
            <translation>Nom d'utilisateur (courriel) :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="271" />
            <source>Client secret:</source>
            <translation>Secret du client :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="271" />
            <source>Password:</source>
            <translation>Mot de passe :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/dock.py" line="282" />
            <source>Credentials not saved</source>
            <translation>Identifiants non enregistrés</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="54" />
            <source>Nothing to fetch</source>
            <translation>Rien à récupérer</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="54" />
            <source>Choose an area and a year.</source>
            <translation>Choisissez une emprise et une année.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="98" />
            <source>Fetching {} {}…</source>
            <translation>Récupération de {} {}…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="100" />
            <source>Crop Confidence: fetch</source>
            <translation>Crop Confidence : récupération</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="132" />
            <source>{} (selection)</source>
            <translation>{} (sélection)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="138" />
            <source>Cancelled.</source>
            <translation>Annulé.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="140" />
            <source>Fetch cancelled</source>
            <translation>Récupération annulée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="141" />
            <source>No layer file was left half-written; partial downloads are kept as .part files and resumed by the next fetch.</source>
            <translation>Aucun fichier de couche n'est resté à moitié écrit ; les téléchargements partiels sont gardés en fichiers .part et repris au prochain téléchargement.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="149" />
            <source>Failed.</source>
            <translation>Échec.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="150" />
            <source>Fetch failed</source>
            <translation>Échec de la récupération</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="160" />
            <source>Whole tiles: about {} will be downloaded. Continue?</source>
            <translation>Tuiles entières : environ {} à télécharger. Continuer ?</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="162" />
            <source>Whole tiles of unknown size will be downloaded (search first to see sizes). Continue?</source>
            <translation>Des tuiles entières de taille inconnue seront téléchargées (lancez d'abord une recherche pour voir les tailles). Continuer ?</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="167" />
            <source>Download whole tiles</source>
            <translation>Télécharger des tuiles entières</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="188" />
            <source>Layer not loaded</source>
            <translation>Couche non chargée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="202" />
            <source>{} item(s), read from local files.</source>
            <translation>{} élément(s), lu(s) depuis des fichiers locaux.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="204" />
            <source>{} item(s), already downloaded.</source>
            <translation>{} élément(s), déjà téléchargé(s).</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="206" />
            <source>{} item(s), {} transferred.</source>
            <translation>{} élément(s), {} transférés.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="211" />
            <source>Fetched</source>
            <translation>Récupération terminée</translation>
        </message>
        <message>
            <location filename="../plugin/gui/fetch_actions.py" line="212" />
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
            <location filename="../plugin/gui/messages.py" line="53" />
            <source>Full paths:</source>
            <translation>Chemins complets :</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="19" />
            <source>Tile</source>
            <translation>Tuile</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="19" />
            <source>Layers</source>
            <translation>Couches</translation>
        </message>
        <message>
            <location filename="../plugin/gui/results_table.py" line="19" />
            <source>Size</source>
            <translation>Taille</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="55" />
            <source>The list of years is loading.</source>
            <translation>La liste des années est en cours de chargement.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="57" />
            <source>Choose a year.</source>
            <translation>Choisissez une année.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="62" />
            <source>The area lies outside where the product has data: choose another area.</source>
            <translation>L'emprise est en dehors de la couverture du produit : choisissez une autre emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="65" />
            <source>The search found nothing for this product, year and area.</source>
            <translation>La recherche n'a rien trouvé pour ce produit, cette année et cette emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="77" />
            <source>Waiting for the list of years…</source>
            <translation>En attente de la liste des années…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="81" />
            <source>No area</source>
            <translation>Aucune emprise</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="81" />
            <source>Choose an area first.</source>
            <translation>Choisissez d'abord une emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="84" />
            <source>No year</source>
            <translation>Aucune année</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="84" />
            <source>No year is available.</source>
            <translation>Aucune année n'est disponible.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="114" />
            <source>Searching…</source>
            <translation>Recherche…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="115" />
            <source>Crop Confidence: search</source>
            <translation>Crop Confidence : recherche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="127" />
            <source>Search cancelled.</source>
            <translation>Recherche annulée.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="133" />
            <source>Search failed</source>
            <translation>Échec de la recherche</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="172" />
            <source>The list is cut: the search stopped at {} items, the most that is read, so tiles of the area may be missing. Search a smaller area.</source>
            <translation>La liste est incomplète : la recherche s'est arrêtée à {} éléments, le maximum lu ; des tuiles de l'emprise peuvent manquer. Cherchez sur une emprise plus petite.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="177" />
            <source>Search incomplete</source>
            <translation>Recherche incomplète</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="180" />
            <source>Nothing found</source>
            <translation>Aucun résultat</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="181" />
            <source>No product for {} over this area.</source>
            <translation>Aucun produit pour {} sur cette emprise.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="186" />
            <source>Whole files only</source>
            <translation>Fichiers entiers seulement</translation>
        </message>
        <message>
            <location filename="../plugin/gui/search_actions.py" line="187" />
            <source>The server does not allow range reads: clipping is not possible. Untick 'Clip to the area' to download the whole files.</source>
            <translation>Le serveur n'accepte pas les lectures partielles : le découpage est impossible. Décochez « Découper à la zone » pour télécharger les fichiers entiers.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="24" />
            <source>Settings</source>
            <translation>Paramètres</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="36" />
            <source>Download folder</source>
            <translation>Dossier de téléchargement</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="39" />
            <source>all cores</source>
            <translation>tous les cœurs</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="40" />
            <source>Worker threads</source>
            <translation>Threads de calcul</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="44" />
            <source>Default minimum confidence</source>
            <translation>Niveau de confiance minimal par défaut</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="47" />
            <source> MB</source>
            <translation> Mo</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="48" />
            <source>Ask before downloading more than</source>
            <translation>Demander avant de télécharger plus de</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="50" />
            <source>Use the embedded sample
(offline)</source>
            <translation>Utiliser l'échantillon intégré
(hors ligne)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="52" />
            <source>Points the CLMS and OSO sources at the synthetic sample shipped with the plugin: CTY, CTYCL and OSO rasters of 2021 over two small areas in France, to try the plugin without network. Empty both sources to use the online services again.</source>
            <translation>Fait pointer les sources CLMS et OSO vers l'échantillon synthétique livré avec l'extension : des rasters CTY, CTYCL et OSO de 2021 sur deux petites zones en France, pour essayer l'extension sans réseau. Videz les deux sources pour revenir aux services en ligne.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="62" />
            <source>Copernicus Data Space STAC API</source>
            <translation>API STAC de Copernicus Data Space</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="63" />
            <source>CLMS source (advanced)</source>
            <translation>Source CLMS (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="65" />
            <source>Sentinel Hub</source>
            <translation>Sentinel Hub</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="66" />
            <source>OSO source (advanced)</source>
            <translation>Source OSO (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/settings_panel.py" line="68" />
            <source>Sentinel Hub OSO collection id (advanced)</source>
            <translation>Identifiant de la collection OSO sur Sentinel Hub (avancé)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="51" />
            <source>Crop Confidence: years</source>
            <translation>Crop Confidence : années</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="65" />
            <source>Loading…</source>
            <translation>Chargement…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="104" />
            <source>Cannot list the years</source>
            <translation>Impossible de lister les années</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="105" />
            <source>{} The years offered are those the product may have, not checked.</source>
            <translation>{} Les années proposées sont celles que le produit peut avoir, sans vérification.</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="112" />
            <source>(not checked)</source>
            <translation>(non vérifiées)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="114" />
            <source>(not checked: the source could not be read)</source>
            <translation>(non vérifiées : la source n'a pas pu être lue)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/year_list.py" line="128" />
            <source>{} (not known yet)</source>
            <translation>{} (pas encore connue)</translation>
        </message>
        <message>
            <location filename="../plugin/plugin.py" line="55" />
            <source>Missing Python package</source>
            <translation>Paquet Python manquant</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="55" />
            <source>Point {} of '{}' ({:.2f}, {:.2f} in the map's CRS) is outside the map '{}'. Delete it, or choose the map the sample was drawn on.</source>
            <translation>Le point {} de « {} » ({:.2f}, {:.2f} dans le SCR de la carte) est hors de la carte « {} ». Supprimez-le, ou choisissez la carte sur laquelle l'échantillon a été tiré.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="62" />
            <source>Point {} of '{}' is outside the zone, where the strata are counted. Delete it, or give the zone the sample was drawn in.</source>
            <translation>Le point {} de « {} » est hors de la zone où les strates sont comptées. Supprimez-le, ou donnez la zone dans laquelle l'échantillon a été tiré.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="69" />
            <source>Point {} of '{}' lies on a no-data pixel of the map '{}', which is in no stratum. Delete it, or choose the map the sample was drawn on.</source>
            <translation>Le point {} de « {} » est sur un pixel sans donnée de la carte « {} », qui n'appartient à aucune strate. Supprimez-le, ou choisissez la carte sur laquelle l'échantillon a été tiré.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="80" />
            <source>Point {} of '{}' has no reference class in the field '{}'. Fill it in, or delete the point.</source>
            <translation>Le point {} de « {} » n'a pas de classe de référence dans le champ « {} ». Remplissez-la, ou supprimez le point.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="88" />
            <source>Point {} of '{}': the reference '{}' in the field '{}' is not a class code of the map (its codes: {}). Write one of the map's class codes.</source>
            <translation>Point {} de « {} » : la référence « {} » du champ « {} » n'est pas un code de classe de la carte (ses codes : {}). Écrivez l'un des codes de classe de la carte.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="104" />
            <source>Point {} of '{}': the stratum '{}' in the field '{}' is not a stratum of the map (its strata: {}). Give the same map, confidence layer, split and zone as for the sample design, or leave STRATUM_FIELD empty.</source>
            <translation>Point {} de « {} » : la strate « {} » du champ « {} » n'est pas une strate de la carte (ses strates : {}). Donnez la même carte, la même couche de confiance, le même seuil et la même zone que pour le plan d'échantillonnage, ou laissez STRATUM_FIELD vide.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/area_sample.py" line="134" />
            <source>Stratum {} ({} pixels) has {} reference point(s) in '{}': the estimate needs at least 2 in every stratum. Add points to it (for example with 'Stratified reference sample' and a minimum per stratum).</source>
            <translation>La strate {} ({} pixels) a {} point(s) de référence dans « {} » : l'estimation en demande au moins 2 dans chaque strate. Ajoutez-y des points (par exemple avec « Échantillon de référence stratifié » et un minimum par strate).</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="69" />
            <source>Area estimate from a reference sample</source>
            <translation>Estimation des surfaces à partir d'un échantillon de référence</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="73" />
            <source>Error-adjusted area of each map class, with its standard error and 95% confidence interval, and user's, producer's and overall accuracy with their 95% confidence intervals, from a stratified random reference sample (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57, eqs. 2-10).

The map, its band, the confidence layer and split and the zone define the strata as for 'Stratified reference sample': give the same ones. The stratum sizes are counted on the map, in the zone when one is given. A point's stratum is read from the 'Stratum field', or, without it, from the map (and confidence layer) under the point; its map class is always read from the map. When the strata are the map classes the estimates are the paper's; when each class is split by confidence, the general stratified estimator for strata that differ from the map classes is used (Stehman 2014, International Journal of Remote Sensing 35, 4923-4939).

The 'Reference class field' holds the reference class of each point, as a class code of the map. Nothing is guessed: a point outside the map or the zone, on a map no-data pixel, without a reference or with a reference that is not a class code of the map, and a stratum with fewer than 2 points, stop the run with a message naming them.

The map area counts pixels and is biased by classification error; the error-adjusted area corrects it with the reference sample. The second table is the estimated error matrix in proportions of area (rows: map class, columns: reference class). Confidence intervals are +/- 1.96 standard errors.</source>
            <translation>Surface corrigée des erreurs de chaque classe de la carte, avec son erreur type et son intervalle de confiance à 95 %, et précisions pour l'utilisateur, pour le producteur et globale avec leurs intervalles de confiance à 95 %, à partir d'un échantillon de référence aléatoire stratifié (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57, éq. 2-10).

La carte, sa bande, la couche de confiance et son seuil et la zone définissent les strates comme pour « Échantillon de référence stratifié » : donnez les mêmes. Les tailles des strates sont comptées sur la carte, dans la zone quand elle est donnée. La strate d'un point est lue dans le « Champ de la strate », ou, sans lui, sur la carte (et la couche de confiance) sous le point ; sa classe cartographiée est toujours lue sur la carte. Quand les strates sont les classes de la carte, les estimations sont celles de l'article ; quand chaque classe est partagée selon la confiance, l'estimateur stratifié général pour des strates différentes des classes de la carte est utilisé (Stehman 2014, International Journal of Remote Sensing 35, 4923-4939).

Le « Champ de la classe de référence » contient la classe de référence de chaque point, sous forme de code de classe de la carte. Rien n'est deviné : un point hors de la carte ou de la zone, sur un pixel sans donnée de la carte, sans référence ou avec une référence qui n'est pas un code de classe de la carte, et une strate de moins de 2 points arrêtent le traitement avec un message qui les nomme.

La surface cartographiée compte des pixels et est biaisée par les erreurs de classification ; la surface corrigée des erreurs la corrige avec l'échantillon de référence. La seconde table est la matrice d'erreurs estimée en proportions de surface (lignes : classe de la carte, colonnes : classe de référence). Les intervalles de confiance sont de +/- 1,96 erreur type.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="100" />
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="117" />
            <source>Zone (polygons)</source>
            <translation>Zone (polygones)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="103" />
            <source>Labelled reference points</source>
            <translation>Points de référence étiquetés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="109" />
            <source>Reference class field</source>
            <translation>Champ de la classe de référence</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="117" />
            <source>Stratum field</source>
            <translation>Champ de la strate</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="124" />
            <source>Area estimate per class</source>
            <translation>Estimation des surfaces par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="130" />
            <source>Error matrix (area proportions)</source>
            <translation>Matrice d'erreurs (proportions de surface)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="136" />
            <source>Overall accuracy</source>
            <translation>Précision globale</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="137" />
            <source>Overall accuracy 95% confidence half-width</source>
            <translation>Demi-largeur de l'intervalle de confiance à 95 % de la précision globale</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="138" />
            <source>Total area of the strata (ha)</source>
            <translation>Surface totale des strates (ha)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="152" />
            <source>SAMPLE: the layer {} cannot be opened.</source>
            <translation>SAMPLE : la couche {} ne peut pas être ouverte.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="172" />
            <source>SAMPLE: the layer '{}' has no point. Choose the labelled sample.</source>
            <translation>SAMPLE : la couche « {} » n'a aucun point. Choisissez l'échantillon étiqueté.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="182" />
            <source>REFERENCE_FIELD: choose the reference field.</source>
            <translation>REFERENCE_FIELD : choisissez le champ de référence.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="186" />
            <source>{}: the layer '{}' has no field '{}'.</source>
            <translation>{} : la couche « {} » n'a pas de champ « {} ».</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="200" />
            <source>SAMPLE: feature {} of '{}' is not a single point. The reference sample must be points (the output of 'Stratified reference sample').</source>
            <translation>SAMPLE : l'entité {} de « {} » n'est pas un point unique. L'échantillon de référence doit être fait de points (la sortie de « Échantillon de référence stratifié »).</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="227" />
            <source>The map's CRS is not projected in metres: areas are given in pixels only.</source>
            <translation>Le SCR de la carte n'est pas projeté en mètres : les surfaces ne sont données qu'en pixels.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/areaestimate_algorithm.py" line="240" />
            <source>Overall accuracy {:.4f} +/- {:.4f} (95%), from {} points in {} strata.</source>
            <translation>Précision globale {:.4f} +/- {:.4f} (95 %), d'après {} points dans {} strates.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="19" />
            <source>Crop masks</source>
            <translation>Masques de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="19" />
            <source>Crop areas</source>
            <translation>Surfaces des cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="19" />
            <source>Data</source>
            <translation>Données</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="24" />
            <source>Crop Confidence needs the Python package(s) {names}, which QGIS's Python lacks: crop masks and fetches cannot run. Install them into QGIS's Python, then restart QGIS: on Windows with OSGeo4W Setup (Advanced Install, package(s) {system}); on Debian or Ubuntu with: sudo apt install {system}; elsewhere from QGIS's Python console with: import pip; pip.main(["install", "--user", {pip}]).</source>
            <translation>Crop Confidence a besoin du ou des paquets Python {names}, absents du Python de QGIS : ni les masques de cultures ni la récupération des données ne peuvent fonctionner. Installez-les dans le Python de QGIS, puis redémarrez QGIS : sous Windows avec OSGeo4W Setup (Advanced Install, paquet(s) {system}) ; sous Debian ou Ubuntu avec : sudo apt install {system} ; ailleurs depuis la console Python de QGIS avec : import pip; pip.main(["install", "--user", {pip}]).</translation>
        </message>
        <message>
            <location filename="../plugin/processing/base.py" line="59" />
            <source>Cancelled: no output was written.</source>
            <translation>Annulé : aucune sortie n'a été écrite.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_table.py" line="35" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="325" />
            <source>All crop types (CTYCL)</source>
            <translation>Tous les types de cultures (CTYCL)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="87" />
            <source>Filter classes</source>
            <translation>Filtrer les classes</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="88" />
            <source>Select all</source>
            <translation>Tout cocher</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="89" />
            <source>Clear</source>
            <translation>Tout décocher</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="100" />
            <source>Class codes to keep, e.g. 5,6,7</source>
            <translation>Codes des classes à conserver, par ex. 5,6,7</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="202" />
            <source>CTYCL only has no class layer: every cropland pixel is kept.</source>
            <translation>CTYCL seule n'a pas de couche des classes : tout pixel cultivé est conservé.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/class_widget.py" line="204" />
            <source>No class ticked: the product's default crop classes are kept.</source>
            <translation>Aucune classe cochée : les classes de cultures par défaut du produit sont conservées.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="59" />
            <source>Confidence-filtered crop mask</source>
            <translation>Masque de cultures filtré par la confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="64" />
            <source>Keeps the pixels of the chosen crop classes whose classifier confidence reaches the minimum, and counts the pixels and hectares kept per class.

Layers:
• CTY + CTYCL: the CTY class layer and the CTYCL confidence layer.
• CTYCL only: the CTYCL layer alone; every cropland pixel may be kept.
• OSO: the bands of one OSO file: {oso_class_band} (classes), {oso_confidence_band} (confidence) and {oso_validity_band} (validity, the number of cloud-free dates).
• Custom: any 8- or 16-bit class and confidence layers.
All layers must share one grid (CRS, pixel size, alignment). They are processed over their common extent, never resampled.

Classes:
Tick the classes to keep. With none ticked, the product's crop classes are kept ({crop_examples}…). Outside this dialog, CLASSES is a comma-separated list of class codes.

Output:
• Binary mask: 1 kept, 0 not kept, 255 no data.
• Filtered class map: the class where kept, 0 elsewhere, and the class layer's no-data value where there is no data ({cty_nodata} for CTY, 255 for OSO; for Custom, the class file's own, or its type's largest value when that is 0 or unset).

No data and not kept:
No data: outside the CTY or CTYCL maps ({cty_nodata}, {ctycl_nodata}), a CTYCL value over 100 other than {ctycl_no_crop}, OSO {oso_nodata}, and each file's own no-data value. Not kept: no cropland (CTY {cty_no_crop}, CTYCL {ctycl_no_crop}), a class not chosen, a confidence below the minimum, a validity below the minimum.

The per-class table takes about 40% more time: it is counted only when asked for. The output records its product, classes and thresholds in its metadata, from which 'Apply Crop Confidence style' styles it again.</source>
            <translation>Conserve les pixels des classes de cultures choisies dont la confiance du classifieur atteint le minimum, et compte les pixels et les hectares conservés par classe.

Couches :
• CTY + CTYCL : la couche des classes CTY et la couche de confiance CTYCL.
• CTYCL seule : la couche CTYCL seule ; tout pixel cultivé peut être conservé.
• OSO : les bandes d'un fichier OSO : {oso_class_band} (classes), {oso_confidence_band} (confiance) et {oso_validity_band} (validité, le nombre de dates sans nuages).
• Personnalisé : toute couche de classes et de confiance sur 8 ou 16 bits.
Toutes les couches doivent partager la même grille (SCR, taille de pixel, alignement). Elles sont traitées sur leur emprise commune, sans jamais être rééchantillonnées.

Classes :
Cochez les classes à conserver. Si aucune n'est cochée, les classes de cultures du produit sont conservées ({crop_examples}…). Hors de cette boîte de dialogue, CLASSES est une liste de codes de classes séparés par des virgules.

Sortie :
• Masque binaire : 1 conservé, 0 non conservé, 255 pas de données.
• Carte des classes filtrée : la classe là où le pixel est conservé, 0 ailleurs, et la valeur « pas de données » de la couche des classes là où il n'y a pas de données ({cty_nodata} pour CTY, 255 pour OSO ; pour Personnalisé, celle du fichier des classes, ou la plus grande valeur de son type quand elle vaut 0 ou n'est pas définie).

Pas de données et non conservé :
Pas de données : hors des cartes CTY ou CTYCL ({cty_nodata}, {ctycl_nodata}), une valeur CTYCL supérieure à 100 autre que {ctycl_no_crop}, OSO {oso_nodata}, et la valeur « pas de données » propre à chaque fichier. Non conservé : pas de culture (CTY {cty_no_crop}, CTYCL {ctycl_no_crop}), une classe non choisie, une confiance inférieure au minimum, une validité inférieure au minimum.

Le tableau par classe prend environ 40 % de temps en plus : il n'est calculé que s'il est demandé. La sortie enregistre son produit, ses classes et ses seuils dans ses métadonnées, d'après lesquelles « Appliquer le style Crop Confidence » lui redonne son style.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="97" />
            <source>

GDAL creation options (advanced): KEY=VALUE pairs separated by '|', e.g. COMPRESS=DEFLATE|PREDICTOR=2.</source>
            <translation>

Options de création GDAL (avancé) : paires CLE=VALEUR séparées par « | », par ex. COMPRESS=DEFLATE|PREDICTOR=2.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="109" />
            <source>Output</source>
            <translation>Sortie</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="110" />
            <source>Binary mask</source>
            <translation>Masque binaire</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="110" />
            <source>Filtered class map</source>
            <translation>Carte des classes filtrée</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="115" />
            <source>Clip to extent</source>
            <translation>Découper selon l'emprise</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="123" />
            <source>GDAL creation options</source>
            <translation>Options de création GDAL</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="132" />
            <location filename="../plugin/processing/postprocess.py" line="78" />
            <location filename="../plugin/processing/provider.py" line="68" />
            <source>Crop mask</source>
            <translation>Masque de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="136" />
            <source>Per-class counts</source>
            <translation>Comptages par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="143" />
            <source>Total pixels</source>
            <translation>Nombre total de pixels</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="144" />
            <source>No-data pixels</source>
            <translation>Pixels sans données</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="145" />
            <source>Kept pixels</source>
            <translation>Pixels conservés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="146" />
            <source>Kept area (ha)</source>
            <translation>Surface conservée (ha)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="197" />
            <source>OUTPUT_TABLE: the folder '{}' of the table '{}' does not exist. Create it or choose another file for the table.</source>
            <translation>OUTPUT_TABLE : le dossier « {} » de la table « {} » n'existe pas. Créez-le ou choisissez un autre fichier pour la table.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="217" />
            <source>OUTPUT: '{}' is not a GeoTIFF name. The crop mask is always written as a GeoTIFF: give a file name ending in .tif.</source>
            <translation>OUTPUT : « {} » n'est pas un nom de GeoTIFF. Le masque de cultures est toujours écrit en GeoTIFF : donnez un nom de fichier finissant par .tif.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="254" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="186" />
            <source>The rasters' CRS is not projected in metres: areas are not computed.</source>
            <translation>Le SCR des rasters n'est pas projeté en mètres : les surfaces ne sont pas calculées.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="259" />
            <source>Kept {} of {} pixels ({} ha); {} no-data pixels.</source>
            <translation>{} pixels conservés sur {} ({} ha) ; {} pixels sans données.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/cropmask_algorithm.py" line="310" />
            <source>OUTPUT_TABLE: the table '{}' cannot be written: {}. No crop mask was written either. Choose another file or folder for the table.</source>
            <translation>OUTPUT_TABLE : impossible d'écrire la table « {} » : {}. Aucun masque de cultures n'a donc été écrit. Choisissez un autre fichier ou dossier pour la table.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="66" />
            <source>Fetch crop layers</source>
            <translation>Récupérer les couches de cultures</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="70" />
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
            <location filename="../plugin/processing/fetch_algorithm.py" line="120" />
            <source>Credentials (authentication configuration)</source>
            <translation>Identifiants (configuration d'authentification)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="130" />
            <location filename="../plugin/processing/provider.py" line="64" />
            <source>Source (empty = default)</source>
            <translation>Source (vide = par défaut)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="137" />
            <source>Output folder</source>
            <translation>Dossier de sortie</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="140" />
            <location filename="../plugin/processing/mask_inputs.py" line="78" />
            <location filename="../plugin/processing/provider.py" line="57" />
            <source>Class layer</source>
            <translation>Couche des classes</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="141" />
            <location filename="../plugin/processing/mask_inputs.py" line="85" />
            <location filename="../plugin/processing/provider.py" line="60" />
            <location filename="../plugin/processing/strata_inputs.py" line="55" />
            <source>Confidence layer</source>
            <translation>Couche de confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="142" />
            <source>Validity layer</source>
            <translation>Couche de validité</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="145" />
            <source>Items fetched</source>
            <translation>Éléments récupérés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="146" />
            <source>Bytes transferred</source>
            <translation>Octets transférés</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="149" />
            <source>Cancelled: no file was left half-written.</source>
            <translation>Annulé : aucun fichier n'est resté à moitié écrit.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="157" />
            <source>EXTENT: give a non-empty area.</source>
            <translation>EXTENT : indiquez une emprise non vide.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="161" />
            <source>EXTENT: the area has no coordinate reference system. Add it after the numbers, for example '3851000,3855000,2650000,2653000 [EPSG:3035]'.</source>
            <translation>EXTENT : l'emprise n'a pas de système de coordonnées. Ajoutez-le après les nombres, par exemple « 3851000,3855000,2650000,2653000 [EPSG:3035] ».</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="199" />
            <source>Fetched {} item(s) from local files: nothing was transferred over the network.</source>
            <translation>{} élément(s) récupéré(s) depuis des fichiers locaux : rien n'a transité par le réseau.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="203" />
            <source>Fetched {} item(s), already downloaded: nothing needed transferring.</source>
            <translation>{} élément(s) récupéré(s), déjà téléchargé(s) : rien à transférer.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/fetch_algorithm.py" line="206" />
            <source>Fetched {} item(s), {} bytes transferred.</source>
            <translation>{} élément(s) récupéré(s), {} octets transférés.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="58" />
            <source>{}: the layer '{}' ({}) is not a local raster file. Save it as a GeoTIFF first (Export &gt; Save As).</source>
            <translation>{} : la couche « {} » ({}) n'est pas un fichier raster local. Enregistrez-la d'abord en GeoTIFF (Exporter &gt; Sauvegarder sous).</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="79" />
            <source>Class band</source>
            <translation>Bande des classes</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="86" />
            <location filename="../plugin/processing/strata_inputs.py" line="61" />
            <source>Confidence band</source>
            <translation>Bande de confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="92" />
            <source>Validity layer (OSO)</source>
            <translation>Couche de validité (OSO)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="93" />
            <source>Validity band</source>
            <translation>Bande de validité</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="107" />
            <source>Minimum validity (cloud-free dates)</source>
            <translation>Validité minimale (dates sans nuages)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="115" />
            <source>Classes to keep</source>
            <translation>Classes à conserver</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="123" />
            <location filename="../plugin/processing/provider.py" line="62" />
            <source>Minimum confidence (%)</source>
            <translation>Niveau de confiance minimal (%)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="136" />
            <source>Threads (0 = all cores)</source>
            <translation>Threads (0 = tous les cœurs)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="169" />
            <source>CONFIDENCE_LAYER: the layer {} cannot be opened as a raster.</source>
            <translation>CONFIDENCE_LAYER : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="178" />
            <location filename="../plugin/processing/strata_inputs.py" line="156" />
            <source>{}: the layer {} cannot be opened as a raster.</source>
            <translation>{} : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="197" />
            <location filename="../plugin/processing/strata_inputs.py" line="166" />
            <source>{}: band {} does not exist; bands are numbered from 1.</source>
            <translation>{} : la bande {} n'existe pas ; les bandes sont numérotées à partir de 1.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="236" />
            <source>MIN_VALIDITY {} is ignored: no validity layer is given.</source>
            <translation>MIN_VALIDITY {} est ignoré : aucune couche de validité n'est donnée.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="242" />
            <source>Product {}, classes {}, minimum confidence {}</source>
            <translation>Produit {}, classes {}, niveau de confiance minimal {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/mask_inputs.py" line="245" />
            <source>all cropland</source>
            <translation>toutes les terres cultivées</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="28" />
            <source>Crop mask with per-class report</source>
            <translation>Masque de cultures avec rapport par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="29" />
            <source>Crop mask for extent</source>
            <translation>Masque de cultures sur une emprise</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="30" />
            <source>Crop area by zone</source>
            <translation>Surface de cultures par zone</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="37" />
            <source>Confidence-filtered crop mask of a class layer and its confidence layer, with the per-class pixel and hectare table.</source>
            <translation>Masque de cultures filtré par la confiance d'une couche des classes et de sa couche de confiance, avec la table des pixels et des hectares par classe.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="41" />
            <source>Fetches the crop layers of a year over an extent, then makes the confidence-filtered crop mask and its per-class report.</source>
            <translation>Récupère les couches de cultures d'une année sur une emprise, puis fait le masque de cultures filtré par la confiance et son rapport par classe.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="45" />
            <source>Fetches the crop layers of a year over the zones' extent, makes the confidence-filtered crop mask, then the confident crop area of each zone and class.</source>
            <translation>Récupère les couches de cultures d'une année sur l'emprise des zones, fait le masque de cultures filtré par la confiance, puis la surface de cultures confiante de chaque zone et classe.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="58" />
            <source>Classes (empty = crops)</source>
            <translation>Classes (vide = cultures)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="59" />
            <source>Clip to the area</source>
            <translation>Découper à l'emprise</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="66" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="135" />
            <source>Zone name field</source>
            <translation>Champ du nom de zone</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="67" />
            <source>Zones</source>
            <translation>Zones</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="69" />
            <source>Class report</source>
            <translation>Rapport par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="70" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="143" />
            <source>Crop areas per zone and class</source>
            <translation>Surfaces des cultures par zone et par classe</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="71" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="149" />
            <source>Zones with kept crop areas</source>
            <translation>Zones et surfaces conservées</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py" line="125" />
            <source>Crop Confidence: confidence-filtered crop masks</source>
            <translation>Crop Confidence : masques de cultures filtrés par la confiance</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="56" />
            <location filename="../plugin/processing/zonal_algorithm.py" line="301" />
            <source>{}: '{}' cannot be written: {}. Choose another file or folder.</source>
            <translation>{} : « {} » ne peut pas être écrit : {}. Choisissez un autre fichier ou dossier.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="65" />
            <source>Proportional to the stratum areas</source>
            <translation>Proportionnelle aux surfaces des strates</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="66" />
            <source>Equal</source>
            <translation>Égale</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="67" />
            <source>Minimum per stratum, the rest proportional</source>
            <translation>Minimum par strate, le reste proportionnel</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="87" />
            <source>Stratified reference sample</source>
            <translation>Échantillon de référence stratifié</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="91" />
            <source>Draws reference points for an area estimate: a stratified random sample, with the map's classes as strata (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57). The map is a crop mask or a class map (CTY or OSO classes, say).

Confidence layer: each class is split into a low-confidence stratum (confidence below the 'Confidence split') and a high-confidence stratum, which puts reference effort where the map is unsure. Pixels whose confidence is not a percentage (no data, or a code above 100) stay in their class's unsplit stratum. Map no-data pixels are in no stratum.

Zone: only the pixels whose centre is inside its polygons count.

Sample size: that many points, or, when it is 0, Cochran's formula (Olofsson 2014, eq. 13) for the target standard error of overall accuracy and the expected user's accuracies: one proportion for all classes (0.8), or class=proportion pairs (1110=0.7, 1120=0.9, 0.8 for the others).

Allocation: proportional to the stratum areas; equal; or Olofsson's recommendation, at least the 'Minimum points per stratum' in each stratum and the rest proportional. The area estimate needs at least 2 points per stratum.

Points are pixel centres drawn uniformly without replacement in each stratum; the same random seed gives the same points. Fill in the 'reference' field with the class code seen on the ground or on imagery, then run 'Area estimate from a reference sample'.</source>
            <translation>Tire des points de référence pour une estimation des surfaces : un échantillon aléatoire stratifié, avec les classes de la carte comme strates (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57). La carte est un masque de cultures ou une carte de classes (les classes CTY ou OSO, par exemple).

Couche de confiance : chaque classe est partagée en une strate de confiance basse (confiance sous le « Seuil de confiance ») et une strate de confiance haute, ce qui porte l'effort de référence là où la carte est incertaine. Les pixels dont la confiance n'est pas un pourcentage (sans donnée, ou un code au-dessus de 100) restent dans la strate non partagée de leur classe. Les pixels sans donnée de la carte ne sont dans aucune strate.

Zone : seuls comptent les pixels dont le centre est à l'intérieur de ses polygones.

Taille de l'échantillon : ce nombre de points, ou, quand elle vaut 0, la formule de Cochran (Olofsson 2014, éq. 13) pour l'erreur type visée de la précision globale et les précisions pour l'utilisateur attendues : une proportion pour toutes les classes (0.8), ou des paires classe=proportion (1110=0.7, 1120=0.9, 0.8 pour les autres).

Répartition : proportionnelle aux surfaces des strates ; égale ; ou la recommandation d'Olofsson, au moins le « Minimum de points par strate » dans chaque strate et le reste proportionnel. L'estimation des surfaces demande au moins 2 points par strate.

Les points sont des centres de pixels tirés uniformément sans remise dans chaque strate ; la même graine aléatoire donne les mêmes points. Remplissez le champ « reference » avec le code de la classe observée sur le terrain ou sur l'imagerie, puis lancez « Estimation des surfaces à partir d'un échantillon de référence ».</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="121" />
            <source>Allocation</source>
            <translation>Répartition</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="127" />
            <source>Sample size (0 = from the target standard error)</source>
            <translation>Taille de l'échantillon (0 = d'après l'erreur type visée)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="128" />
            <source>Minimum points per stratum</source>
            <translation>Minimum de points par strate</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="129" />
            <source>Random seed</source>
            <translation>Graine aléatoire</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="144" />
            <source>Target standard error of overall accuracy</source>
            <translation>Erreur type visée de la précision globale</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="155" />
            <source>Expected user's accuracies</source>
            <translation>Précisions pour l'utilisateur attendues</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="162" />
            <source>Reference sample</source>
            <translation>Échantillon de référence</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="167" />
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="171" />
            <source>Strata</source>
            <translation>Strates</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="170" />
            <source>Sample size</source>
            <translation>Taille de l'échantillon</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="225" />
            <source>{} points in {} strata; allocation: {}.</source>
            <translation>{} points dans {} strates ; répartition : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/sampledesign_algorithm.py" line="243" />
            <source>Stratum {} gets {} point(s): the area estimate needs at least 2 per stratum. Use the minimum-per-stratum allocation or a larger sample.</source>
            <translation>La strate {} reçoit {} point(s) : l'estimation des surfaces en demande au moins 2 par strate. Utilisez la répartition avec un minimum par strate ou un échantillon plus grand.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="38" />
            <source>Map (crop mask or class map)</source>
            <translation>Carte (masque de cultures ou carte de classes)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="41" />
            <source>Map band</source>
            <translation>Bande de la carte</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="46" />
            <source>Product of the map (its no-data codes)</source>
            <translation>Produit de la carte (ses codes sans donnée)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="67" />
            <source>Confidence split (%)</source>
            <translation>Seuil de confiance (%)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="87" />
            <source>Automatic</source>
            <translation>Automatique</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="95" />
            <source>

Product of the map: its no-data values are in no stratum, the declared one and the product's (CTY {cty_nodata}, OSO {oso_nodata}, a binary crop mask {mask_nodata}). Automatic reads a crop mask's recorded settings first, then the band description, then the file name; the log says which rule it used.</source>
            <translation>

Produit de la carte : ses valeurs sans donnée ne sont dans aucune strate, celle déclarée et celles du produit (CTY {cty_nodata}, OSO {oso_nodata}, un masque de cultures binaire {mask_nodata}). Automatique lit d'abord les paramètres enregistrés d'un masque de cultures, puis la description de la bande, puis le nom du fichier ; le journal dit quelle règle a servi.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="121" />
            <source>Map: a crop mask ({}, {}), from its metadata; no data: {}.</source>
            <translation>Carte : un masque de cultures ({}, {}), d'après ses métadonnées ; sans donnée : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="125" />
            <source>Map: product {} (PRODUCT); no data: {}.</source>
            <translation>Carte : produit {} (PRODUCT) ; sans donnée : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="127" />
            <source>Map: product {}, from the band description '{}'; no data: {}.</source>
            <translation>Carte : produit {}, d'après la description de bande « {} » ; sans donnée : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="131" />
            <source>Map: product {}, from the file name '{}'; no data: {}.</source>
            <translation>Carte : produit {}, d'après le nom de fichier « {} » ; sans donnée : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="135" />
            <source>Map: product not recognised; only its declared no-data value is excluded ({}). Choose PRODUCT to exclude a product's no-data codes.</source>
            <translation>Carte : produit non reconnu ; seule sa valeur sans donnée déclarée est exclue ({}). Choisissez PRODUCT pour exclure les codes sans donnée d'un produit.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="140" />
            <source>Map: product not recognised and no declared no-data value: every value is a stratum. Choose PRODUCT to exclude a product's no-data codes.</source>
            <translation>Carte : produit non reconnu et aucune valeur sans donnée déclarée : chaque valeur est une strate. Choisissez PRODUCT pour exclure les codes sans donnée d'un produit.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="177" />
            <source>ZONE: the layer {} cannot be opened.</source>
            <translation>ZONE : la couche {} ne peut pas être ouverte.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="182" />
            <source>ZONE: the layer '{}' does not hold polygons. Choose a polygon layer.</source>
            <translation>ZONE : la couche « {} » ne contient pas de polygones. Choisissez une couche de polygones.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="199" />
            <source>ZONE: feature {} of '{}' has an invalid geometry that cannot be repaired. Fix it (Vector &gt; Geometry Tools &gt; Fix Geometries) and run again.</source>
            <translation>ZONE : l'entité {} de « {} » a une géométrie invalide qui ne peut pas être réparée. Corrigez-la (Vecteur &gt; Outils de géométrie &gt; Réparer les géométries) et relancez.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/strata_inputs.py" line="207" />
            <source>ZONE: the layer '{}' has no polygon. Choose a zone or leave ZONE empty.</source>
            <translation>ZONE : la couche « {} » n'a aucun polygone. Choisissez une zone ou laissez ZONE vide.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="46" />
            <source>Detect (name, band, metadata)</source>
            <translation>Détecter (nom, bande, métadonnées)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="49" />
            <source>CTY (CLMS Crop Types)</source>
            <translation>CTY (types de cultures CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="50" />
            <source>CTYCL (CLMS Confidence Layer)</source>
            <translation>CTYCL (couche de confiance CLMS)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="51" />
            <source>OSO confidence ({oso_confidence_band})</source>
            <translation>Confiance OSO ({oso_confidence_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="52" />
            <source>OSO validity ({oso_validity_band})</source>
            <translation>Validité OSO ({oso_validity_band})</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="53" />
            <source>Crop mask (binary or class map)</source>
            <translation>Masque de cultures (binaire ou classes)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="99" />
            <source>the file is empty: 0 bytes</source>
            <translation>le fichier est vide : 0 octet</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="103" />
            <source>{} bytes in no raster format GDAL knows</source>
            <translation>{} octets dans aucun format raster connu de GDAL</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="104" />
            <source>{}: the file '{}' exists but is not a raster GDAL can read ({}). A download cut short or an archive (.zip) gives this: fetch the file again, or extract the raster and choose it.</source>
            <translation>{} : le fichier « {} » existe mais n'est pas un raster que GDAL sait lire ({}). Un téléchargement interrompu ou une archive (.zip) donne cela : récupérez à nouveau le fichier, ou extrayez le raster et choisissez-le.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="145" />
            <source>Apply Crop Confidence style</source>
            <translation>Appliquer le style Crop Confidence</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="153" />
            <source>Gives a raster layer the style of its product: the official class colours and labels (in the QGIS language) for OSO and CTY, a red-to-green ramp for the CTYCL confidence ({ctycl_no_crop} 'No cropland' in grey, 255 transparent), black-to-green and black-to-red ramps for the OSO confidence and validity, green kept pixels for a binary crop mask and the class palette for a filtered class map (Custom: each kept code in its own colour).

Detect reads the file name (the producers' names and those 'Fetch crop layers' writes), the layer name, the band description ({oso_band_list}) and the GDAL metadata. OSO 2016 and 2017 have 17 classes; without a year in the name, the values present decide. Crop masks are detected from the settings 'Confidence-filtered crop mask' records in their metadata (CROPCONFIDENCE_*); for one without them, choose 'Crop mask', and its values tell a class map's product.

A layer of the current project is restyled in place. A file that is not open in the project gets the style saved as its default style: a .qml file next to it, which QGIS reads whenever the file is opened.</source>
            <translation>Donne à une couche raster le style de son produit : les couleurs et libellés officiels des classes (dans la langue de QGIS) pour OSO et CTY, une rampe du rouge au vert pour la confiance CTYCL ({ctycl_no_crop} « Pas de culture » en gris, 255 transparent), des rampes du noir au vert et du noir au rouge pour la confiance et la validité OSO, les pixels conservés en vert pour un masque de cultures binaire et la palette des classes pour une carte des classes filtrée (Personnalisé : chaque code conservé dans sa propre couleur).

La détection lit le nom du fichier (les noms des producteurs et ceux qu'écrit « Récupérer les couches de cultures »), le nom de la couche, la description de bande ({oso_band_list}) et les métadonnées GDAL. OSO 2016 et 2017 ont 17 classes ; sans année dans le nom, ce sont les valeurs présentes qui décident. Les masques de cultures sont détectés d'après les paramètres que « Masque de cultures filtré par la confiance » enregistre dans leurs métadonnées (CROPCONFIDENCE_*) ; pour un masque qui n'en a pas, choisissez « Masque de cultures » : ses valeurs indiquent alors le produit d'une carte des classes.

Une couche du projet courant est restylée sur place. Un fichier qui n'est pas ouvert dans le projet reçoit le style enregistré comme style par défaut : un fichier .qml à côté de lui, que QGIS lit à chaque ouverture du fichier.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="175" />
            <source>Raster layer</source>
            <translation>Couche raster</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="183" />
            <source>Styled layer (its id, or its file when not in the project)</source>
            <translation>Couche stylée (son identifiant, ou son fichier si elle n'est pas dans le projet)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="186" />
            <source>Style applied</source>
            <translation>Style appliqué</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="202" />
            <source>INPUT: the layer {} cannot be opened as a raster.</source>
            <translation>INPUT : la couche {} ne peut pas être ouverte comme raster.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="211" />
            <source>Cannot tell which product the layer '{}' ({}) is from its name, band description or metadata. Choose the product: {}.</source>
            <translation>Impossible de déterminer le produit de la couche « {} » ({}) d'après son nom, sa description de bande ou ses métadonnées. Choisissez le produit : {}.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="217" />
            <source>Detected: {}</source>
            <translation>Détecté : {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/style_algorithm.py" line="225" />
            <source>Cannot save the default style of {}: {}</source>
            <translation>Impossible d'enregistrer le style par défaut de {} : {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="94" />
            <source>Confident crop area per zone</source>
            <translation>Surface de cultures confiante par zone</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="98" />
            <source>Counts, in each zone of a polygon layer, the pixels of every class present: valid pixels, kept pixels and the pixels dropped for a low confidence or a low validity, with the same inputs and pixel rules as 'Confidence-filtered crop mask'.

A pixel belongs to a zone when its centre lies inside the polygon (holes and multipart zones included). Zones may overlap, for example nested administrative levels: each zone counts its own pixels. A zone with no valid pixel gets one row of zeros. The zones are reprojected to the rasters' CRS; invalid geometries are made valid.

map_area_ha is the area of all valid pixels of the class and kept_area_ha that of the kept pixels: map areas, which classification errors bias. mean_confidence is the mean confidence of the class's valid pixels (those marked no crop, CTYCL {ctycl_no_crop}, left out). confidence_weighted_area_ha sums confidence / 100 x the pixel area: a model-based indicator, not an unbiased area estimate; for that, use a reference sample.

QGIS's Zonal histogram gives the same counts per class, except for zones that hold no pixel centre (smaller than a pixel): QGIS 3.22 counts the pixels they touch, this algorithm none.

OUTPUT_ZONES holds the zones with kept_&lt;code&gt;_ha for every selected class and kept_total_ha, styled graduated on kept_total_ha when loaded.</source>
            <translation>Compte, dans chaque zone d'une couche de polygones, les pixels de chaque classe présente : pixels valides, pixels conservés et pixels écartés pour une confiance ou une validité trop faible, avec les mêmes entrées et les mêmes règles de pixel que « Masque de cultures filtré par la confiance ».

Un pixel appartient à une zone quand son centre est à l'intérieur du polygone (trous et zones multiparties compris). Les zones peuvent se chevaucher, par exemple des niveaux administratifs imbriqués : chaque zone compte ses propres pixels. Une zone sans pixel valide reçoit une ligne de zéros. Les zones sont reprojetées dans le SCR des rasters ; les géométries invalides sont rendues valides.

map_area_ha est la surface de tous les pixels valides de la classe et kept_area_ha celle des pixels conservés : des surfaces cartographiées, que les erreurs de classification biaisent. mean_confidence est la confiance moyenne des pixels valides de la classe (sans ceux marqués non cultivés, CTYCL {ctycl_no_crop}). confidence_weighted_area_ha additionne confiance / 100 x la surface du pixel : un indicateur fondé sur le modèle, pas une estimation sans biais de la surface ; pour cela, utilisez un échantillon de référence.

L'histogramme zonal de QGIS donne les mêmes comptes par classe, sauf pour les zones qui ne contiennent aucun centre de pixel (plus petites qu'un pixel) : QGIS 3.22 compte les pixels qu'elles touchent, cet algorithme aucun.

OUTPUT_ZONES contient les zones avec kept_&lt;code&gt;_ha pour chaque classe sélectionnée et kept_total_ha, avec un style gradué sur kept_total_ha quand la couche est chargée.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="121" />
            <source>

Without a zone name field, each zone is named by its feature id.</source>
            <translation>

Sans champ du nom de zone, chaque zone est nommée par l'identifiant de son entité.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="129" />
            <source>Zones (polygons)</source>
            <translation>Zones (polygones)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="170" />
            <source>ZONES: the layer {} cannot be opened.</source>
            <translation>ZONES : la couche {} ne peut pas être ouverte.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="174" />
            <source>ZONES: the layer '{}' holds no polygons; give a polygon layer.</source>
            <translation>ZONES : la couche « {} » ne contient pas de polygones ; donnez une couche de polygones.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="182" />
            <source>{} zones</source>
            <translation>{} zones</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="221" />
            <source>ZONES: feature {} cannot be reprojected to the rasters' CRS {}: {}</source>
            <translation>ZONES : l'entité {} ne peut pas être reprojetée dans le SCR des rasters {} : {}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="231" />
            <source>ZONES: feature {} has an invalid geometry that cannot be made valid as a polygon. Fix it (Fix geometries) or remove it.</source>
            <translation>ZONES : l'entité {} a une géométrie invalide qui ne peut pas être rendue valide en polygone. Corrigez-la (Réparer les géométries) ou supprimez-la.</translation>
        </message>
        <message>
            <location filename="../plugin/processing/zonal_algorithm.py" line="253" />
            <source>OUTPUT_TABLE: the table cannot be created: {}</source>
            <translation>OUTPUT_TABLE : la table ne peut pas être créée : {}</translation>
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
            <location filename="../plugin/qgis/styles.py" line="103" />
            <source>Kept (confidence ≥ {})</source>
            <translation>Conservé (confiance ≥ {})</translation>
        </message>
        <message>
            <location filename="../plugin/qgis/styles.py" line="130" />
            <source>Class {}</source>
            <translation>Classe {}</translation>
        </message>
        <message>
            <source>Automatic (crop mask metadata, band description or file name)</source>
            <translation type="vanished">Automatique (métadonnées du masque de cultures, description de bande ou nom de fichier)</translation>
        </message>
        <message>
            <source>Zone name field (empty: the feature id)</source>
            <translation type="vanished">Champ du nom de zone (vide : l'identifiant de l'entité)</translation>
        </message>
        <message>
            <source>CTY + CTYCL (CLMS Crop Types and Confidence Layer)</source>
            <translation type="vanished">CTY + CTYCL (types de cultures CLMS et couche de confiance)</translation>
        </message>
        <message>
            <source>Error-adjusted area of each map class, with its standard error and 95% confidence interval, and user's, producer's and overall accuracy with their 95% confidence intervals, from a stratified random reference sample (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57, eqs. 2-10).

The map, its band, the confidence layer and split and the zone define the strata as for 'Stratified reference sample': give the same ones. The stratum sizes are counted on the map, in the zone when one is given. A point's stratum is read from STRATUM_FIELD, or, without it, from the map (and confidence layer) under the point; its map class is always read from the map. When the strata are the map classes the estimates are the paper's; when each class is split by confidence, the general stratified estimator for strata that differ from the map classes is used (Stehman 2014, International Journal of Remote Sensing 35, 4923-4939).

REFERENCE_FIELD holds the reference class of each point, as a class code of the map. Nothing is guessed: a point outside the map or the zone, on a map no-data pixel, without a reference or with a reference that is not a class code of the map, and a stratum with fewer than 2 points, stop the run with a message naming them.

The map area counts pixels and is biased by classification error; the error-adjusted area corrects it with the reference sample. The second table is the estimated error matrix in proportions of area (rows: map class, columns: reference class). Confidence intervals are +/- 1.96 standard errors.</source>
            <translation type="vanished">Surface corrigée des erreurs de chaque classe de la carte, avec son erreur type et son intervalle de confiance à 95 %, et précisions pour l'utilisateur, pour le producteur et globale avec leurs intervalles de confiance à 95 %, à partir d'un échantillon de référence aléatoire stratifié (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57, éq. 2-10).

La carte, sa bande, la couche de confiance et son seuil et la zone définissent les strates comme pour « Échantillon de référence stratifié » : donnez les mêmes. Les tailles des strates sont comptées sur la carte, dans la zone quand elle est donnée. La strate d'un point est lue dans STRATUM_FIELD, ou, sans lui, sur la carte (et la couche de confiance) sous le point ; sa classe cartographiée est toujours lue sur la carte. Quand les strates sont les classes de la carte, les estimations sont celles de l'article ; quand chaque classe est partagée selon la confiance, l'estimateur stratifié général pour des strates différentes des classes de la carte est utilisé (Stehman 2014, International Journal of Remote Sensing 35, 4923-4939).

REFERENCE_FIELD contient la classe de référence de chaque point, sous forme de code de classe de la carte. Rien n'est deviné : un point hors de la carte ou de la zone, sur un pixel sans donnée de la carte, sans référence ou avec une référence qui n'est pas un code de classe de la carte, et une strate de moins de 2 points arrêtent le traitement avec un message qui les nomme.

La surface cartographiée compte des pixels et est biaisée par les erreurs de classification ; la surface corrigée des erreurs la corrige avec l'échantillon de référence. La seconde table est la matrice d'erreurs estimée en proportions de surface (lignes : classe de la carte, colonnes : classe de référence). Les intervalles de confiance sont de +/- 1,96 erreur type.</translation>
        </message>
        <message>
            <source>Zone in which the strata are counted (optional polygons)</source>
            <translation type="vanished">Zone dans laquelle les strates sont comptées (polygones, facultatif)</translation>
        </message>
        <message>
            <source>Stratum field (optional; without it, read from the map)</source>
            <translation type="vanished">Champ de la strate (facultatif ; sans lui, lue sur la carte)</translation>
        </message>
        <message>
            <source>GDAL creation options (KEY=VALUE|KEY=VALUE)</source>
            <translation type="vanished">Options de création GDAL (CLE=VALEUR|CLE=VALEUR)</translation>
        </message>
        <message>
            <source>Source: STAC API root, catalog.json, Sentinel Hub base URL or raster URL</source>
            <translation type="vanished">Source : racine d'une API STAC, catalog.json, URL de base Sentinel Hub ou URL d'un raster</translation>
        </message>
        <message>
            <source>Minimum per stratum, the rest proportional (Olofsson et al. 2014)</source>
            <translation type="vanished">Minimum par strate, le reste proportionnel (Olofsson et al. 2014)</translation>
        </message>
        <message>
            <source>Draws reference points for an area estimate: a stratified random sample, with the map's classes as strata (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57).

With a confidence layer, each class is split into a low-confidence stratum (confidence below the split) and a high-confidence stratum, which puts reference effort where the map is unsure. Pixels whose confidence is not a percentage (no data, or a code above 100) stay in their class's unsplit stratum. Map no-data pixels are in no stratum. With a zone, only the pixels whose centre is inside it count.

Sample size: SAMPLE_SIZE points, or, when it is 0, Cochran's formula (Olofsson 2014, eq. 13) for the target standard error of overall accuracy and the expected user's accuracies: one proportion for all classes (0.8), or class=proportion pairs (1110=0.7, 1120=0.9, 0.8 for the others).

Allocation: proportional to the stratum areas; equal; or Olofsson's recommendation, at least MIN_PER_STRATUM points per stratum and the rest proportional. The area estimate needs at least 2 points per stratum.

Points are pixel centres drawn uniformly without replacement in each stratum; the same SEED gives the same points. Fill in the 'reference' field with the class code seen on the ground or on imagery, then run 'Area estimate from a reference sample'.</source>
            <translation type="vanished">Tire des points de référence pour une estimation des surfaces : un échantillon aléatoire stratifié, avec les classes de la carte comme strates (Olofsson et al. 2014, Remote Sensing of Environment 148, 42-57).

Avec une couche de confiance, chaque classe est partagée en une strate de confiance basse (confiance sous le seuil) et une strate de confiance haute, ce qui porte l'effort de référence là où la carte est incertaine. Les pixels dont la confiance n'est pas un pourcentage (sans donnée, ou un code au-dessus de 100) restent dans la strate non partagée de leur classe. Les pixels sans donnée de la carte ne sont dans aucune strate. Avec une zone, seuls comptent les pixels dont le centre est à l'intérieur.

Taille de l'échantillon : SAMPLE_SIZE points, ou, quand elle vaut 0, la formule de Cochran (Olofsson 2014, éq. 13) pour l'erreur type visée de la précision globale et les précisions pour l'utilisateur attendues : une proportion pour toutes les classes (0.8), ou des paires classe=proportion (1110=0.7, 1120=0.9, 0.8 pour les autres).

Répartition : proportionnelle aux surfaces des strates ; égale ; ou la recommandation d'Olofsson, au moins MIN_PER_STRATUM points par strate et le reste proportionnel. L'estimation des surfaces demande au moins 2 points par strate.

Les points sont des centres de pixels tirés uniformément sans remise dans chaque strate ; la même graine (SEED) donne les mêmes points. Remplissez le champ « reference » avec le code de la classe observée sur le terrain ou sur l'imagerie, puis lancez « Estimation des surfaces à partir d'un échantillon de référence ».</translation>
        </message>
        <message>
            <source>Zone (optional polygons)</source>
            <translation type="vanished">Zone (polygones, facultatif)</translation>
        </message>
        <message>
            <source>Expected user's accuracies (0.8, or 1110=0.7, 1120=0.9, 0.8)</source>
            <translation type="vanished">Précisions pour l'utilisateur attendues (0.8, ou 1110=0.7, 1120=0.9, 0.8)</translation>
        </message>
        <message>
            <source>Map (crop mask, class map, CTY or OSO classes)</source>
            <translation type="vanished">Carte (masque de cultures, carte de classes, classes CTY ou OSO)</translation>
        </message>
        <message>
            <source>Confidence layer: splits each class into low and high confidence strata</source>
            <translation type="vanished">Couche de confiance : partage chaque classe en strates de confiance basse et haute</translation>
        </message>
        <message>
            <source>Confidence split (%): below is low, from it high</source>
            <translation type="vanished">Seuil de confiance (%) : en dessous, basse ; à partir de lui, haute</translation>
        </message>
        <message>
            <source>Detect from the name, band description or metadata</source>
            <translation type="vanished">Détecter d'après le nom, la description de bande ou les métadonnées</translation>
        </message>
        <message>
            <source>Crop mask (binary mask or filtered class map)</source>
            <translation type="vanished">Masque de cultures (masque binaire ou carte des classes filtrée)</translation>
        </message>
        <message>
            <source>Gives a raster layer the style of its product: the official class colours and labels (in the QGIS language) for OSO and CTY, a red-to-green ramp for the CTYCL confidence ({ctycl_no_crop} 'No cropland' in grey, 255 transparent), black-to-green and black-to-red ramps for the OSO confidence and validity, green kept pixels for a binary crop mask and the class palette for a filtered class map (Custom: each kept code in its own colour).

Detect reads the file name (CLMS ids such as CLMS_HRLVLCC_CTYCL_..., OCS_2018_CESBIO, the names written by 'Fetch crop layers'), the layer name, the band description ({oso_band_list}) and the GDAL metadata. OSO 2016 and 2017 have 17 classes; without a year in the name, the values present decide. Crop masks are detected from the settings 'Confidence-filtered crop mask' records in their metadata (CROPCONFIDENCE_*); for one without them, choose 'Crop mask', and its values tell a class map's product.

A layer of the current project is restyled in place. A file that is not open in the project gets the style saved as its default style: a .qml file next to it, which QGIS reads whenever the file is opened.</source>
            <translation type="vanished">Donne à une couche raster le style de son produit : les couleurs et libellés officiels des classes (dans la langue de QGIS) pour OSO et CTY, une rampe du rouge au vert pour la confiance CTYCL ({ctycl_no_crop} « Pas de culture » en gris, 255 transparent), des rampes du noir au vert et du noir au rouge pour la confiance et la validité OSO, les pixels conservés en vert pour un masque de cultures binaire et la palette des classes pour une carte des classes filtrée (Personnalisé : chaque code conservé dans sa propre couleur).

La détection lit le nom du fichier (identifiants CLMS tels que CLMS_HRLVLCC_CTYCL_..., OCS_2018_CESBIO, les noms écrits par « Récupérer les couches de cultures »), le nom de la couche, la description de bande ({oso_band_list}) et les métadonnées GDAL. OSO 2016 et 2017 ont 17 classes ; sans année dans le nom, ce sont les valeurs présentes qui décident. Les masques de cultures sont détectés d'après les paramètres que « Masque de cultures filtré par la confiance » enregistre dans leurs métadonnées (CROPCONFIDENCE_*) ; pour un masque qui n'en a pas, choisissez « Masque de cultures » : ses valeurs indiquent alors le produit d'une carte des classes.

Une couche du projet courant est restylée sur place. Un fichier qui n'est pas ouvert dans le projet reçoit le style enregistré comme style par défaut : un fichier .qml à côté de lui, que QGIS lit à chaque ouverture du fichier.</translation>
        </message>
        <message>
            <source>Class layer (CTY or OSO classes; not needed for CTYCL only)</source>
            <translation type="vanished">Couche des classes (classes CTY ou OSO ; inutile pour CTYCL seule)</translation>
        </message>
        <message>
            <source>Confidence layer (CTYCL or {oso_confidence_band})</source>
            <translation type="vanished">Couche de confiance (CTYCL ou {oso_confidence_band})</translation>
        </message>
        <message>
            <source>Validity layer (OSO {oso_validity_band})</source>
            <translation type="vanished">Couche de validité (OSO {oso_validity_band})</translation>
        </message>
        <message>
            <source>Classes to keep (comma-separated codes; empty = the product's crops)</source>
            <translation type="vanished">Classes à conserver (codes séparés par des virgules ; vide = les cultures du produit)</translation>
        </message>
        <message>
            <source>Keeps the pixels of the selected crop classes whose classifier confidence reaches a threshold, and counts pixels and hectares per class.

Binary mask: 1 kept, 0 not kept, 255 no data. Filtered class map: the class code where kept, 0 elsewhere, the class nodata ({cty_nodata} for CTY, 255 for OSO; for Custom the class file's nodata, or its type's largest value when that is 0 or unset) where there is no data.

No data: CTY {cty_nodata}, CTYCL {ctycl_nodata} or an invalid value (101-252, 254), OSO 0 or 255, and each file's own nodata. Not kept: CTY 0, CTYCL {ctycl_no_crop}, a class not selected, a confidence below the threshold, a validity below the minimum.

CLASSES is a comma-separated list of codes; empty means the product's crop classes. All layers must share one grid (CRS, pixel size, alignment); they are processed over their common extent, never resampled.

The per-class table is counted only when it is asked for: it takes about 40% more time.

The output records the product, output mode, kept classes and thresholds in its metadata (CROPCONFIDENCE_*), from which 'Apply Crop Confidence style' styles it.</source>
            <translation type="vanished">Conserve les pixels des classes de cultures sélectionnées dont la confiance du classifieur atteint un seuil, et compte les pixels et les hectares par classe.

Masque binaire : 1 conservé, 0 non conservé, 255 pas de données. Carte des classes filtrée : le code de la classe là où le pixel est conservé, 0 ailleurs, la valeur nodata des classes ({cty_nodata} pour CTY, 255 pour OSO ; pour Personnalisé, le nodata du fichier des classes, ou la plus grande valeur de son type quand il vaut 0 ou n'est pas défini) là où il n'y a pas de données.

Pas de données : CTY {cty_nodata}, CTYCL {ctycl_nodata} ou une valeur invalide (101-252, 254), OSO 0 ou 255, ainsi que la valeur nodata propre à chaque fichier. Non conservé : CTY 0, CTYCL {ctycl_no_crop}, une classe non sélectionnée, une confiance inférieure au seuil, une validité inférieure au minimum.

CLASSES est une liste de codes séparés par des virgules ; vide, elle désigne les classes de cultures du produit. Toutes les couches doivent partager la même grille (SCR, taille de pixel, alignement) ; elles sont traitées sur leur emprise commune, sans jamais être rééchantillonnées.

Le tableau par classe n'est calculé que s'il est demandé : il prend environ 40 % de temps en plus.

La sortie enregistre le produit, le mode de sortie, les classes conservées et les seuils dans ses métadonnées (CROPCONFIDENCE_*), d'après lesquelles « Appliquer le style Crop Confidence » lui donne son style.</translation>
        </message>
        <message>
            <source>Could not write the crop mask's settings into the metadata of {} ({}): 'Apply Crop Confidence style' will tell its kind from its values only.</source>
            <translation type="vanished">Impossible d'écrire les paramètres du masque de cultures dans les métadonnées de {} ({}) : « Appliquer le style Crop Confidence » ne pourra en déduire le type que d'après ses valeurs.</translation>
        </message>
    </context>
</TS>
