<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" maxScale="0" minScale="1e+08" styleCategories="AllStyleCategories" hasScaleBasedVisibilityFlag="0">
  <flags>
    <Identifiable>1</Identifiable>
    <Removable>1</Removable>
    <Searchable>1</Searchable>
    <Private>0</Private>
  </flags>
  <temporal fetchMode="0" mode="0" enabled="0">
    <fixedRange>
      <start></start>
      <end></end>
    </fixedRange>
  </temporal>
  <customproperties>
    <Option type="Map">
      <Option name="identify/format" type="QString" value="Value"/>
    </Option>
  </customproperties>
  <pipe-data-defined-properties>
    <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
    </Option>
  </pipe-data-defined-properties>
  <pipe>
    <provider>
      <resampling zoomedInResamplingMethod="nearestNeighbour" zoomedOutResamplingMethod="nearestNeighbour" maxOversampling="2" enabled="false"/>
    </provider>
    <rasterrenderer band="1" type="paletted" nodataColor="" opacity="1" alphaBand="-1">
      <minMaxOrigin>
        <limits>None</limits>
        <extent>WholeRaster</extent>
        <statAccuracy>Estimated</statAccuracy>
        <cumulativeCutLower>0.02</cumulativeCutLower>
        <cumulativeCutUpper>0.98</cumulativeCutUpper>
        <stdDevFactor>2</stdDevFactor>
      </minMaxOrigin>
      <colorPalette>
        <paletteEntry color="#ff5500" alpha="255" label="Cultures d'été" value="11"/>
        <paletteEntry color="#ffff7f" alpha="255" label="Cultures d'hiver" value="12"/>
        <paletteEntry color="#009c00" alpha="255" label="Forêts de feuillus" value="31"/>
        <paletteEntry color="#003200" alpha="255" label="Forêts de conifères" value="32"/>
        <paletteEntry color="#aaff00" alpha="255" label="Pelouses" value="34"/>
        <paletteEntry color="#55aa7f" alpha="255" label="Landes ligneuses" value="36"/>
        <paletteEntry color="#ff00ff" alpha="255" label="Bâti dense" value="41"/>
        <paletteEntry color="#ff55ff" alpha="255" label="Bâti diffus" value="42"/>
        <paletteEntry color="#ffaaff" alpha="255" label="Zones industrielles et commerciales" value="43"/>
        <paletteEntry color="#00ffff" alpha="255" label="Surfaces routes" value="44"/>
        <paletteEntry color="#ff0000" alpha="255" label="Surfaces minérales" value="45"/>
        <paletteEntry color="#ffb802" alpha="255" label="Plages et dunes" value="46"/>
        <paletteEntry color="#0000ff" alpha="255" label="Eau" value="51"/>
        <paletteEntry color="#bebebe" alpha="255" label="Glaciers et neiges éternelles" value="53"/>
        <paletteEntry color="#aaaa00" alpha="255" label="Prairies" value="211"/>
        <paletteEntry color="#aaaaff" alpha="255" label="Vergers" value="221"/>
        <paletteEntry color="#550000" alpha="255" label="Vignes" value="222"/>
      </colorPalette>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1"/>
    <huesaturation colorizeStrength="100" colorizeBlue="128" colorizeOn="0" grayscaleMode="0" colorizeGreen="128" invertColors="0" colorizeRed="255" saturation="0"/>
    <rasterresampler maxOversampling="2"/>
    <resamplingStage>resamplingFilter</resamplingStage>
  </pipe>
  <blendMode>0</blendMode>
</qgis>
