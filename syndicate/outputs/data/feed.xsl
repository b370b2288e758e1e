<?xml version="1.0" encoding="utf-8"?>
<!-- How a browser shows syndicate's Atom and RSS feeds: a readable page that says what a feed is
     and how to subscribe. Feed readers ignore it; the feed stays the same valid document. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    exclude-result-prefixes="atom dc content">
  <xsl:output method="html" encoding="utf-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <xsl:variable name="self" select="atom:feed/atom:link[@rel='self']/@href | rss/channel/atom:link[@rel='self']/@href"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <link rel="stylesheet" href="assets/site.css"/>
      </head>
      <body>
        <a class="skip" href="#items">Skip to the articles</a>
        <header class="site">
          <h1><xsl:value-of select="$title"/></h1>
          <p><xsl:value-of select="atom:feed/atom:subtitle | rss/channel/description"/></p>
        </header>
        <main>
          <div class="notice" role="note">
            <h2>This is a web feed: subscribe in your reader</h2>
            <p>Feed readers (NetNewsWire, Feedly, Thunderbird, Miniflux, NewsBlur…) check this address
              for new articles so you don't have to. Copy the address below into your reader's
              "add feed" or "subscribe" box.</p>
            <code class="feed-url"><xsl:value-of select="$self"/></code>
            <p><a href="./">All feeds of this site</a></p>
          </div>
          <h2 id="items">Latest articles</h2>
          <ol class="items">
            <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
          </ol>
        </main>
        <footer class="site"><p>Published with syndicate. Rights in each article stay with their holders.</p></footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a class="title" href="{atom:link[@rel='alternate' or not(@rel)][1]/@href}"><xsl:value-of select="atom:title"/></a>
      <div class="meta">
        <xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/>
        <xsl:for-each select="atom:author/atom:name"> · <xsl:value-of select="."/></xsl:for-each>
        <xsl:if test="atom:source/atom:title"> · <xsl:value-of select="atom:source/atom:title"/></xsl:if>
      </div>
      <xsl:if test="atom:summary"><p class="summary"><xsl:value-of select="atom:summary"/></p></xsl:if>
      <xsl:if test="atom:rights"><div class="meta"><xsl:value-of select="atom:rights"/></div></xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a class="title" href="{link}"><xsl:value-of select="title"/></a>
      <div class="meta">
        <xsl:value-of select="substring(pubDate, 1, 16)"/>
        <xsl:for-each select="dc:creator"> · <xsl:value-of select="."/></xsl:for-each>
        <xsl:if test="source"> · <xsl:value-of select="source"/></xsl:if>
      </div>
      <!-- description is the plain summary when the HTML body is in content:encoded -->
      <xsl:if test="content:encoded"><p class="summary"><xsl:value-of select="description"/></p></xsl:if>
      <xsl:if test="dc:rights"><div class="meta"><xsl:value-of select="dc:rights"/></div></xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
