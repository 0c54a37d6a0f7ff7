/** A word list written as one whitespace-separated string. */
export const words = (list: string): Set<string> => new Set(list.trim().split(/\s+/));

/**
 * Ordinary English words (and generic code vocabulary) that never count as a leak on their own: a method
 * `save` or a file `models.py` does not leak through the word "save" or "models".
 */
export const COMMON_WORDS = words(`
  about above access account action active adapter add address admin after age agent aggregate alias align
  all allow alter analysis and annotate any api app append apply archive area argument array article as ask
  assert assign async attach attribute audit auth author auto available await back backend backup bad
  balance band bar base batch before begin best between bind binary bit block body book bool border both
  bound box branch break bridge broken browser buffer bug build builder bulk button by cache calculate
  calendar call callback can cancel canvas capture card case cast catch cell chain change channel char
  chart check child choice choose chunk circle class clean cleanup clear click client clip clone close
  cluster code collect collection color colour column combine command comment commit common compare
  compat compile compiler complete component compose compute concat condition config configure connect
  connection console constant constraint construct contain container content context continue contract
  control convert copy core count counter cover create credit cross current cursor custom cut data
  database date day debug decode default define delete delta deploy describe describe design detail detect
  device dialog dict diff digest dimension direct directory disable discard disk dispatch display distance
  divide document domain done double down download draft draw drop dump duration each edge edit editor
  element else emit empty enable encode end engine enter entity entry environment equal error escape
  evaluate event every exact example except exception exchange exec execute exist exit expand expect
  export expression extend extension extract factor factory fail false feature fetch field figure file
  fill filter final find finish first fit fix flag flat flatten float flow flush focus fold folder follow
  font for force form format forward frame free from full function gather generate generic get global go
  graph grid group guard handle handler hash have head header health height help helper hidden hide hint
  history hold home hook host hour html icon id image import include increment index info init initialize
  inline inner input insert inspect install instance integer integrate interface internal interval invalid
  invoke is issue item items iterate job join json just keep kernel key keys kind label language last
  launch layer layout lazy leaf left legend length level library limit line link list listen literal load
  loader local location lock log logger login logout long lookup loop lower main make manage manager map
  mark mask match matrix max measure media member memory menu merge message meta method middle middleware
  migrate migration min minute mode model modify module monitor month more move multiply name native
  navigate network new next node none normal normalize note notify null number object offset old on once
  one only open operation operator option options order origin other outer output override owner package
  page pair panel param parameter parent parse parser part partial pass patch path pattern pause payload
  peek pending permission pick pipe pipeline pixel place plan plot plugin point pointer policy poll pool
  pop port position post power predict prefix prepare present preview print printer priority private
  process product profile program progress project property protocol proxy public publish pull push put
  quantity query queue quit quote random range rank rate raw read reader ready real reason rebuild receive
  record recover redirect reduce refresh register registry reject relation release reload remote remove
  render repeat replace reply report repository request require reset resize resolve resource response
  rest restore result resume retry return reverse review right role root rotate round route row rule run
  runner safe sample save scale scan schedule schema scope score screen script scroll search second section
  select selector send sequence serial serialize series serve server service session set setting settings
  setup shape share shell shift show side sign signal simple simplify single size skip slice slot sort
  source space span spec split stack stage standard start state static status step stop storage store
  stream string strip structure style submit subscribe subtract success suite sum summary support swap
  switch symbol sync system table tag target task template term test text theme thread time timeout timer
  title to toggle token tool top total trace track transform transaction translate tree trigger trim true
  try tuple type types unit units unique unit update upgrade upload upper url use user utils valid validate
  validator value values variable vector verify version view visit wait walk warn warning watch web week
  when where while widget width window with word work worker wrap wrapper write writer year zero zone
  accept adjust bin cast center clip compress connect decompress dense deprecate detach dimension direct
  embed expire fade fold govern grant ignore inherit inspect join limit mean median mix nest order pack
  pad parse plain print quick read render sample scatter search seed sparse split stack step sum tile
  weight wide
`);

/** File stems too generic to identify a gold file on their own. */
export const GENERIC_FILE_STEMS = words(`
  __init__ __main__ init main index utils util helpers helper common core base setup conftest models views
  urls admin forms types config settings compat misc tools api tests test constants exceptions errors
  version mod lib app apps
`);
