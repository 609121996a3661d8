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
        <paletteEntry color="#ff00ff" alpha="255" label="Bâti dense" value="1"/>
        <paletteEntry color="#ff55ff" alpha="255" label="Bâti diffus" value="2"/>
        <paletteEntry color="#ffaaff" alpha="255" label="Zones industrielles et commerciales" value="3"/>
        <paletteEntry color="#00ffff" alpha="255" label="Surfaces routes" value="4"/>
        <paletteEntry color="#ffff00" alpha="255" label="Colza" value="5"/>
        <paletteEntry color="#d0ff00" alpha="255" label="Céréales à paille" value="6"/>
        <paletteEntry color="#a1d600" alpha="255" label="Protéagineux" value="7"/>
        <paletteEntry color="#ffab44" alpha="255" label="Soja" value="8"/>
        <paletteEntry color="#d6d600" alpha="255" label="Tournesol" value="9"/>
        <paletteEntry color="#ff5500" alpha="255" label="Maïs" value="10"/>
        <paletteEntry color="#c5ffff" alpha="255" label="Riz" value="11"/>
        <paletteEntry color="#aaaa61" alpha="255" label="Tubercules / racines" value="12"/>
        <paletteEntry color="#aaaa00" alpha="255" label="Prairies" value="13"/>
        <paletteEntry color="#aaaaff" alpha="255" label="Vergers" value="14"/>
        <paletteEntry color="#550000" alpha="255" label="Vignes" value="15"/>
        <paletteEntry color="#009c00" alpha="255" label="Forêts de feuillus" value="16"/>
        <paletteEntry color="#003200" alpha="255" label="Forêts de conifères" value="17"/>
        <paletteEntry color="#aaff00" alpha="255" label="Pelouses" value="18"/>
        <paletteEntry color="#55aa7f" alpha="255" label="Landes ligneuses" value="19"/>
        <paletteEntry color="#ff0000" alpha="255" label="Surfaces minérales" value="20"/>
        <paletteEntry color="#ffb802" alpha="255" label="Plages et dunes" value="21"/>
        <paletteEntry color="#bebebe" alpha="255" label="Glaciers et neiges éternelles" value="22"/>
        <paletteEntry color="#0000ff" alpha="255" label="Eau" value="23"/>
      </colorPalette>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1"/>
    <huesaturation colorizeStrength="100" colorizeBlue="128" colorizeOn="0" grayscaleMode="0" colorizeGreen="128" invertColors="0" colorizeRed="255" saturation="0"/>
    <rasterresampler maxOversampling="2"/>
    <resamplingStage>resamplingFilter</resamplingStage>
  </pipe>
  <blendMode>0</blendMode>
</qgis>
