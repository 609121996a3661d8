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
        <paletteEntry color="#e6e6e6" alpha="255" label="No cropland" value="0"/>
        <paletteEntry color="#ee6e32" alpha="255" label="Wheat" value="1110"/>
        <paletteEntry color="#fba24a" alpha="255" label="Barley" value="1120"/>
        <paletteEntry color="#fadc14" alpha="255" label="Maize" value="1130"/>
        <paletteEntry color="#e94301" alpha="255" label="Rice" value="1140"/>
        <paletteEntry color="#e8a995" alpha="255" label="Other cereals" value="1150"/>
        <paletteEntry color="#aec7e8" alpha="255" label="Fresh vegetables" value="1210"/>
        <paletteEntry color="#4897bf" alpha="255" label="Dry pulses" value="1220"/>
        <paletteEntry color="#c98c43" alpha="255" label="Potatoes" value="1310"/>
        <paletteEntry color="#9c5b0c" alpha="255" label="Sugar beet" value="1320"/>
        <paletteEntry color="#ff7979" alpha="255" label="Sunflower" value="1410"/>
        <paletteEntry color="#a86a96" alpha="255" label="Soybeans" value="1420"/>
        <paletteEntry color="#e377c2" alpha="255" label="Rapeseed" value="1430"/>
        <paletteEntry color="#f7b6d2" alpha="255" label="Flax, cotton and hemp" value="1440"/>
        <paletteEntry color="#dbdb8d" alpha="255" label="Grapes" value="2100"/>
        <paletteEntry color="#c1ce12" alpha="255" label="Olives" value="2200"/>
        <paletteEntry color="#79a03a" alpha="255" label="Fruits" value="2310"/>
        <paletteEntry color="#5a7c30" alpha="255" label="Nuts" value="2320"/>
        <paletteEntry color="#d7d7d7" alpha="255" label="Unclassified annual crop" value="3100"/>
        <paletteEntry color="#ababab" alpha="255" label="Unclassified permanent crop" value="3200"/>
      </colorPalette>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1"/>
    <huesaturation colorizeStrength="100" colorizeBlue="128" colorizeOn="0" grayscaleMode="0" colorizeGreen="128" invertColors="0" colorizeRed="255" saturation="0"/>
    <rasterresampler maxOversampling="2"/>
    <resamplingStage>resamplingFilter</resamplingStage>
  </pipe>
  <blendMode>0</blendMode>
</qgis>
